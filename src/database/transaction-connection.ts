import type { EntityManager } from '@mikro-orm/better-sqlite';
import type { Knex } from '@mikro-orm/knex';
import type { Database, Statement } from 'better-sqlite3';

const statements = new WeakMap<Database, Map<string, Statement>>();

/**
 * The engine-specific door for hot paths: the better-sqlite3 connection the
 * current transaction runs on, with statements prepared once per connection
 * instead of built and prepared by knex on every call. Only valid inside a
 * transaction (WriteBatcher.run), so the statements join it and its savepoint.
 * A PostgreSQL driver would replace this one file.
 */
export async function transactionConnection(em: EntityManager): Promise<Database> {
  const trx = em.getTransactionContext<Knex.Transaction>();
  if (!trx) throw new Error('transactionConnection() needs a transaction');
  return (await trx.client.acquireConnection()) as Database;
}

/**
 * Runs `use` on a raw connection: the current transaction's when there is
 * one, else one taken from the pool and given back. For hot reads.
 */
export async function withConnection<T>(em: EntityManager, use: (connection: Database) => T): Promise<T> {
  if (em.getTransactionContext()) return use(await transactionConnection(em));
  const client = em.getKnex().client;
  const connection = (await client.acquireConnection()) as Database;
  try {
    return use(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}

export function prepared(connection: Database, sql: string): Statement {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}
