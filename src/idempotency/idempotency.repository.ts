import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';

export interface IdempotencyRow {
  fingerprint: string;
  status_code: number;
  body: string | null;
  expires_at: number | string;
}

const FIND = 'select fingerprint, status_code, body, expires_at from idempotency_key where ledger_id = ? and key = ?';
const INSERT = `insert into idempotency_key (ledger_id, key, fingerprint, status_code, body, expires_at)
  values (?, ?, ?, ?, ?, ?)`;
const INSERT_IF_FREE = `${INSERT} on conflict do nothing`;

/** The SQL of stored Idempotency-Key answers and one-time keys, run on the handle given. */
@Injectable()
export class IdempotencyRepository {
  find(db: RawSql, ledgerId: number, key: string): Promise<IdempotencyRow | undefined> {
    return db.get<IdempotencyRow>(FIND, ledgerId, key);
  }

  async delete(db: RawSql, ledgerId: number, key: string): Promise<void> {
    await db.run('delete from idempotency_key where ledger_id = ? and key = ?', ledgerId, key);
  }

  /** Stores a row; a row already there for the key makes this throw a unique violation. */
  async insert(db: RawSql, ledgerId: number, key: string, row: IdempotencyRow): Promise<void> {
    await db.run(INSERT, ledgerId, key, row.fingerprint, row.status_code, row.body, row.expires_at);
  }

  /** Stores a row unless the key is taken: true when this call stored it. */
  async insertIfFree(db: RawSql, ledgerId: number, key: string, row: IdempotencyRow): Promise<boolean> {
    return (
      (await db.run(INSERT_IF_FREE, ledgerId, key, row.fingerprint, row.status_code, row.body, row.expires_at)) === 1
    );
  }

  purgeExpired(db: RawSql, now: number): Promise<number> {
    return db.run('delete from idempotency_key where expires_at <= ?', now);
  }
}
