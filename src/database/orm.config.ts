import { defineConfig } from '@mikro-orm/better-sqlite';
import { Migrator } from '@mikro-orm/migrations';
import { ApiToken } from '../ledgers/api-token.entity';
import { Ledger } from '../ledgers/ledger.entity';
import { Expense } from '../expenses/expense.entity';
import { ExpenseDay } from '../expenses/expense-day.entity';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { ProcessedUpdate } from '../telegram/processed-update.entity';
import { ListQuery } from '../telegram/list-query.entity';
import { Migration20261124000000 } from '../migrations/Migration20261124000000';

export const ENTITIES = [Ledger, ApiToken, Expense, ExpenseDay, IdempotencyRecord, ProcessedUpdate, ListQuery];

/** Every migration, in order. Listed here so the same list works from src/ and dist/. */
const MIGRATIONS = [{ name: 'Migration20261124000000', class: Migration20261124000000 }];

/**
 * The SQLite connection's settings, applied to every connection the pool opens.
 * WAL lets readers run beside the writer; synchronous=FULL makes each commit
 * durable before we answer; busy_timeout lets the token CLI write while the
 * server runs.
 */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = FULL', 'busy_timeout = 5000', 'foreign_keys = ON'];

export function ormConfig(databasePath: string) {
  return defineConfig({
    dbName: databasePath,
    entities: ENTITIES,
    discovery: { disableDynamicFileAccess: true },
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, snapshot: false, silent: true },
    pool: {
      min: 1,
      max: 1,
      afterCreate: (connection: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma);
        done(null, connection);
      },
    },
    allowGlobalContext: false,
    debug: false,
  });
}
