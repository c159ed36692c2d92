import type { EntityManager } from '@mikro-orm/knex';
import { isPostgres, RawSql } from './raw-sql';
import { withSql } from './transactions';

/**
 * "Is another instance doing this?" On PostgreSQL, advisory locks answer it
 * for every instance sharing the database. On SQLite there is one server
 * process per file (a second process would wait on the file's write lock
 * anyway), so each question is answered by that process alone.
 *
 * Keys of the one-bigint form; the two-int form (ledger, key hash) is a
 * separate key space in PostgreSQL, used for Idempotency-Keys.
 */
export const LOCK_KEYS = {
  migrations: 74_616_001,
  telegramPoller: 74_616_002,
} as const;

/**
 * Tries to take the transaction-long lock on (ledger, Idempotency-Key): false
 * when another transaction, on any instance, holds it. Released at COMMIT or
 * ROLLBACK, so it is taken in `tx`, the request's transaction.
 */
export async function tryIdempotencyLock(tx: RawSql, ledgerId: number, key: string): Promise<boolean> {
  if (tx.engine !== 'postgresql') return true;
  const row = await tx.get<{ locked: boolean }>(
    'select pg_try_advisory_xact_lock(?, hashtext(?)) as locked',
    ledgerId,
    key,
  );
  return row?.locked === true;
}

/** Runs `work` while holding a session lock, waiting for it: instances starting together take turns. */
export async function withSessionLock<T>(em: EntityManager, key: number, work: () => Promise<T>): Promise<T> {
  if (!isPostgres(em)) return work();
  return withSql(em, async (sql) => {
    await sql.get('select pg_advisory_lock(?)', key);
    try {
      return await work();
    } finally {
      await sql.get('select pg_advisory_unlock(?)', key);
    }
  });
}
