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

export function prepared(connection: Database, sql: string): Statement {
  let cache = statements.get(connection);
  if (!cache) statements.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = connection.prepare(sql)));
  return statement;
}
