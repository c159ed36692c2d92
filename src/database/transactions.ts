import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager, Knex } from '@mikro-orm/knex';
import type { Database } from 'better-sqlite3';
import { isPostgres, RawSql, rawSql } from './raw-sql';

/** One open transaction: the connection it holds, as the raw door. */
export interface Transaction {
  readonly sql: RawSql;
}

/**
 * The transaction the caller runs in, if any. The only async context in the
 * data layer, read in two places: WriteBatcher.run (a write inside a
 * transaction joins it with a savepoint instead of queuing for the next
 * batch) and withSql (a read inside one uses its connection: on SQLite the
 * pool has only that one, and a read through the pool would wait for ever).
 * Everything else is handed its transaction as a parameter.
 */
const open = new AsyncLocalStorage<Transaction>();

export function currentTransaction(): Transaction | undefined {
  return open.getStore();
}

/**
 * Runs `work` in a transaction of its own on a connection lent by the pool:
 * BEGIN, then COMMIT when it resolves or ROLLBACK when it throws, the
 * connection going back to the pool either way. Plain statements on the
 * driver's connection: MikroORM and knex only lend the connection.
 *
 * A COMMIT that fails is made safe: PostgreSQL has ended the transaction by
 * itself; SQLite keeps it open (a deferred constraint, a full disk, an I/O
 * error) on the pool's only connection, where later reads would see its rows
 * and the next COMMIT would store writes whose callers were told they
 * failed. So it is rolled back here, before anything else is answered.
 */
export async function transaction<T>(em: EntityManager, work: (tx: RawSql) => Promise<T>): Promise<T> {
  // A nested call would wait for the connection the outer transaction holds (SQLite has one).
  if (open.getStore()) throw new Error('transaction() does not nest: join the current one with WriteBatcher.run');
  const client = em.getKnex().client;
  const connection = await client.acquireConnection();
  const tx = rawSql(connection);
  try {
    await tx.run('begin');
    let value: T;
    try {
      value = await open.run({ sql: tx }, () => work(tx));
    } catch (error) {
      await tx.run('rollback').catch(() => undefined);
      throw error;
    }
    try {
      await tx.run('commit');
    } catch (error) {
      if (tx.engine === 'sqlite' && (connection as Database).inTransaction) (connection as Database).exec('rollback');
      throw error;
    }
    return value;
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Runs `use` on the current transaction's connection when called inside one,
 * else on a connection lent by the pool. For reads that may run either way
 * (a service called by a chat delivery inside its claim transaction, or by a
 * plain GET).
 */
export function withSql<T>(em: EntityManager, use: (sql: RawSql) => Promise<T>): Promise<T> {
  const current = open.getStore();
  return current ? use(current.sql) : onPool(em, use);
}

/** Runs `use` on a connection lent by the pool, outside any transaction whatever the caller's context. */
export async function onPool<T>(em: EntityManager, use: (sql: RawSql) => Promise<T>): Promise<T> {
  const client = em.getKnex().client;
  const connection = await client.acquireConnection();
  try {
    return await use(rawSql(connection));
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * The rows of a query built with knex, for hot reads of many rows. On SQLite
 * its SQL goes through the door: prepared once per connection (the text of a
 * list page depends only on which filters are set) and its rows made the
 * door's cheaper way. On PostgreSQL knex runs it on the pool: there the
 * door's page rows (pg's row objects and field strings) outlived young
 * collections, giving 15-20 mark-compacts in 12 s of list reads against 4
 * through knex, and its p99 was no better despite a lower p50. Why those rows
 * live longer is not known. Bindings reach better-sqlite3 as knex built them,
 * so they must be numbers, strings or null.
 */
export async function selectRows<T>(em: EntityManager, query: Knex.QueryBuilder): Promise<T[]> {
  if (isPostgres(em)) return (await query) as T[];
  const { sql, bindings } = query.toSQL();
  return withSql(em, (db) => db.all<T>(sql, ...bindings));
}
