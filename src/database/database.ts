import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import type { RawSql } from './raw-sql';
import { onPool, withSql } from './transactions';

/**
 * How services reach a connection outside a write (writes get theirs from
 * WriteBatcher.run). MikroORM stays behind this door: it only lends
 * connections.
 */
@Injectable()
export class Database {
  constructor(private readonly em: EntityManager) {}

  /** On the current transaction's connection when called inside one, else on one the pool lends. */
  read<T>(use: (db: RawSql) => Promise<T>): Promise<T> {
    return withSql(this.em, use);
  }

  /** On a connection the pool lends, outside any transaction whatever the caller's context. */
  pooled<T>(use: (db: RawSql) => Promise<T>): Promise<T> {
    return onPool(this.em, use);
  }

  /** Resolves when the database answers a trivial query. */
  async ping(): Promise<void> {
    await onPool(this.em, (db) => db.get('select 1'));
  }
}
