import { ConnectionException, DeadlockException, UniqueConstraintViolationException } from '@mikro-orm/core';

/** The driver's error code, whether the error is raw (pg, better-sqlite3) or wrapped by MikroORM. */
function codeOf(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; cause?: unknown; previous?: unknown } | undefined, depth = 0;
    e && depth < 4;
    depth++
  ) {
    if (typeof e.code === 'string') return e.code;
    e = (e.previous ?? e.cause) as typeof e;
  }
  return undefined;
}

/** A unique index refused a row (SQLite SQLITE_CONSTRAINT_*, PostgreSQL 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof UniqueConstraintViolationException) return true;
  const code = codeOf(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * PostgreSQL gave up on a transaction because it raced another one (deadlock
 * 40P01, serialization failure 40001). Nothing of it was kept: running the
 * same work again is safe and is what the caller should do.
 */
export function isRaceLost(error: unknown): boolean {
  if (error instanceof DeadlockException) return true;
  const code = codeOf(error);
  return code === '40P01' || code === '40001';
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
]);

/** The database server cannot be reached right now (answered 503; Tally reconnects by itself). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const code = codeOf(error);
  if (code && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|Knex: Timeout acquiring a connection|connection is closed|Client has encountered a connection error/i.test(
    message,
  );
}
