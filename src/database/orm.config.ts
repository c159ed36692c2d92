import { defineConfig as defineSqliteConfig } from '@mikro-orm/better-sqlite';
import type { Options } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { ApiToken } from '../ledgers/api-token.entity';
import { Ledger } from '../ledgers/ledger.entity';
import { Expense, ExpenseChange } from '../expenses/expense.entity';
import { ExpenseDay, ExpenseMonth } from '../expenses/expense-day.entity';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { ChatClaim } from '../chat/chat-claim.entity';
import { ListQuery } from '../telegram/list-query.entity';
import { Budget, BudgetAlert } from '../budgets/budget.entity';
import { RecurringRule } from '../recurring/recurring-rule.entity';
import { ImportChunk, ImportJob } from '../imports/import-job.entity';
import { ChatMessage } from '../outbox/chat-message.entity';
import { LedgerNumber } from './ledger-number.entity';
import type { DatabaseTarget } from './database-target';

/**
 * Every table, one entity each: the one description of the schema that the
 * migrations must agree with (test/schema.e2e-spec.ts checks both engines).
 */
export const ENTITIES = [
  Ledger,
  ApiToken,
  LedgerNumber,
  Expense,
  ExpenseChange,
  ExpenseDay,
  ExpenseMonth,
  IdempotencyRecord,
  ChatClaim,
  ChatMessage,
  ListQuery,
  Budget,
  BudgetAlert,
  RecurringRule,
  ImportJob,
  ImportChunk,
];

/**
 * The SQLite connection's settings, applied to every connection the pool opens.
 * WAL lets readers run beside the writer; synchronous=FULL makes each commit
 * durable before we answer; busy_timeout lets the token CLI write while the
 * server runs. temp_store=MEMORY keeps each write's savepoint journal (the
 * pages it changed, so a failed write can be undone alone) in memory instead
 * of a temporary file written a page per system call: about three pages per
 * create, more per Telegram update, whose chat is one of many ledgers. Crash
 * safety never relied on that journal (recovery drops an unfinished
 * transaction through the WAL). It also keeps in memory a sort too big for
 * the cache, such as building an index over a large table in a migration.
 */
export const SQLITE_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = FULL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  'temp_store = MEMORY',
];

/** PostgreSQL connections per instance. Writes share one (group commit); the rest serve reads and keyed requests. */
const POSTGRES_POOL_MAX = 10;
/** A request waits at most this long for a connection before it is answered 503 (the database is down or saturated). */
const ACQUIRE_TIMEOUT_MS = 5_000;
/** Connecting to PostgreSQL gives up after this; start-up must fail within 10 s (docs/API.md §11). */
export const CONNECT_TIMEOUT_MS = 5_000;

const common = {
  entities: ENTITIES,
  discovery: { disableDynamicFileAccess: true },
  /*
   * No request context and no global context: Tally reaches the database
   * through its repositories' SQL on connections it is handed
   * (transactions.ts), never through entities, so no EntityManager ever holds
   * an entity. Each AsyncLocalStorage ever run (a request context is one)
   * keeps Node 20's promise hooks busier for every promise after it: with
   * only the transaction context left, a create took 8-12 % less CPU.
   */
  debug: false,
};

type SqlOptions = Options<AbstractSqlDriver>;

/** MikroORM's options for the engine DATABASE_URL names; migrations are that engine's own list. */
export function ormConfig(target: DatabaseTarget): SqlOptions {
  // The list of migrations is added by migrator() in open-database.ts, which loads them only when needed.
  const migrations = { transactional: true, snapshot: false, silent: true };
  if (target.engine === 'postgresql') {
    // Loaded only for PostgreSQL: the driver is a twentieth of an SQLite process's start-up.
    const { defineConfig: definePostgresConfig } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@mikro-orm/postgresql') as typeof import('@mikro-orm/postgresql');
    return definePostgresConfig({
      ...common,
      clientUrl: target.url,
      migrations,
      pool: { min: 0, max: POSTGRES_POOL_MAX, acquireTimeoutMillis: ACQUIRE_TIMEOUT_MS },
      driverOptions: { connection: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true } },
    }) as unknown as SqlOptions;
  }
  return defineSqliteConfig({
    ...common,
    dbName: target.path,
    migrations,
    pool: {
      min: 1,
      max: 1,
      afterCreate: (connection: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
        for (const pragma of SQLITE_PRAGMAS) connection.pragma(pragma);
        done(null, connection);
      },
    },
  }) as unknown as SqlOptions;
}
