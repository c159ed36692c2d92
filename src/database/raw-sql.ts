import { createHash } from 'node:crypto';
import { TransactionContext, TransactionEventBroadcaster } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/knex';
import type { Knex } from '@mikro-orm/knex';
import type { Database, Statement } from 'better-sqlite3';
import type { Client as PgClient } from 'pg';
import { currentTransaction } from './sql';
import type { Engine } from './database-target';

/**
 * The engine-specific door for hot paths: plain SQL with `?` placeholders on
 * the connection a transaction runs on, with statements prepared once per
 * connection instead of built by knex on every call. Both engines accept the
 * SQL the callers write (INSERT … ON CONFLICT, RETURNING, SAVEPOINT); only how
 * it reaches the driver differs, and that is decided here.
 */
export interface RawSql {
  /** Which engine answers: for the few statements written differently for each (see daily-totals.ts). */
  readonly engine: Engine;
  /** The first row, or undefined. */
  get<T>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
}

/** A prepared statement whose rows come back as arrays, with the names to make objects of them. */
interface SqliteStatement {
  statement: Statement;
  columns: string[];
}

/**
 * better-sqlite3: synchronous statements, cached per connection. Rows are read
 * as arrays and made into objects here: better-sqlite3 builds each row object
 * property by property in C++, which for a list page (51 rows of 15 columns)
 * took 171 µs against 113 µs for arrays plus this loop, whose objects all
 * share one shape.
 */
class SqliteSql implements RawSql {
  readonly engine = 'sqlite';
  private readonly statements = new Map<string, SqliteStatement>();
  constructor(private readonly db: Database) {}

  private statement(sql: string): SqliteStatement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      const statement = this.db.prepare(sql);
      // Only statements that return rows (SELECT, … RETURNING) have columns and a raw mode.
      const columns = statement.reader ? statement.columns().map((column) => column.name) : [];
      if (statement.reader) statement.raw(true);
      this.statements.set(sql, (prepared = { statement, columns }));
    }
    return prepared;
  }

  async get<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    const { statement, columns } = this.statement(sql);
    const values = statement.get(...params) as unknown[] | undefined;
    return values && (toObject(columns, values) as T);
  }

  async all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    const { statement, columns } = this.statement(sql);
    return (statement.all(...params) as unknown[][]).map((values) => toObject(columns, values) as T);
  }

  async run(sql: string, ...params: unknown[]): Promise<number> {
    return this.statement(sql).statement.run(...params).changes;
  }
}

function toObject(columns: string[], values: unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < columns.length; i++) row[columns[i]] = values[i];
  return row;
}

/** node-postgres: `?` becomes `$n`, and data statements are named so the server prepares them once per connection. */
class PostgresSql implements RawSql {
  readonly engine = 'postgresql';
  constructor(private readonly client: PgClient) {}

  private async query<T>(sql: string, params: unknown[]): Promise<{ rows: T[]; rowCount: number }> {
    const { text, name } = postgresStatement(sql);
    const values = params.map((value) => (typeof value === 'bigint' ? value.toString() : value));
    const result = await this.client.query({ text, values, name });
    return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
  }

  async get<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    return (await this.query<T>(sql, params)).rows[0];
  }

  async all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return (await this.query<T>(sql, params)).rows;
  }

  async run(sql: string, ...params: unknown[]): Promise<number> {
    return (await this.query(sql, params)).rowCount;
  }
}

interface PostgresStatement {
  /** The SQL with `?` placeholders as PostgreSQL's `$1, $2, …` (the SQL written for this door has no `?` inside literals). */
  text: string;
  /** Data statements are named, so the server prepares each once per connection; others (SAVEPOINT …) are not. */
  name?: string;
}

/** Worked out once per SQL text and kept (naming by SHA-1 on every call cost ~1.2 µs a query). */
const statements = new Map<string, PostgresStatement>();

function postgresStatement(sql: string): PostgresStatement {
  let statement = statements.get(sql);
  if (!statement) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    const named = /^\s*(select|insert|update|delete|with)\b/i.test(text);
    statement = {
      text,
      name: named ? `tally_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` : undefined,
    };
    statements.set(sql, statement);
  }
  return statement;
}

const wrapped = new WeakMap<object, RawSql>();

/** The door for a driver connection, made once per connection. */
export function rawSql(connection: Database | PgClient): RawSql {
  let door = wrapped.get(connection);
  if (!door) {
    door = 'prepare' in connection ? new SqliteSql(connection as Database) : new PostgresSql(connection as PgClient);
    wrapped.set(connection, door);
  }
  return door;
}

/** The current transaction's connection. Only valid inside a transaction (WriteBatcher.run, transaction()). */
export async function transactionSql(em: EntityManager): Promise<RawSql> {
  const trx = currentTransaction(em);
  if (!trx) throw new Error('transactionSql() needs a transaction');
  return rawSql(await trx.client.acquireConnection());
}

/** Runs `use` on the current transaction's connection when there is one, else on one lent by the pool. For hot reads. */
export async function withSql<T>(em: EntityManager, use: (sql: RawSql) => Promise<T>): Promise<T> {
  if (currentTransaction(em)) return use(await transactionSql(em));
  return onPool(em, use);
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
 * door's cheaper way. On PostgreSQL knex runs it: there the door's page rows
 * (pg's row objects and field strings) outlived young collections, giving
 * 15-20 mark-compacts in 12 s of list reads against 4 through knex, and its
 * p99 was no better despite a lower p50. Why those rows live longer is not known.
 * Bindings reach better-sqlite3 as knex built them, so they must be numbers,
 * strings or null (knex's own runner would also turn dates and booleans into numbers).
 */
export async function selectRows<T>(em: EntityManager, query: Knex.QueryBuilder): Promise<T[]> {
  if (isPostgres(em)) return (await query) as T[];
  const { sql, bindings } = query.toSQL();
  return withSql(em, (db) => db.all<T>(sql, ...bindings));
}

/** True when the EntityManager talks to PostgreSQL (asked of knex, so SQLite processes never load the PostgreSQL driver). */
export function isPostgres(em: EntityManager): boolean {
  return em.getKnex().client.dialect === 'postgresql';
}

/**
 * A top-level transaction: MikroORM's transaction context (so sql(em) and
 * transactionSql find it) and its commit events (ChatOutbox listens for
 * them), without em.transactional. That one also flushes the fork's unit of
 * work, which Tally never fills (its SQL is its own), and runs the flush in an
 * AsyncLocalStorage of its own; every storage ever run keeps Node 20's
 * promise hooks busier for every promise after it (see orm.config.ts).
 *
 * Made safe for a COMMIT that fails: knex then marks the transaction finished
 * without sending ROLLBACK. PostgreSQL has ended it by itself; SQLite keeps
 * it open (a deferred constraint, a full disk, an I/O error) on the pool's
 * only connection, where later reads would see its rows and the next COMMIT
 * would store writes whose callers were told they failed. So it is rolled
 * back here, before anything else is answered.
 */
export async function transaction<T>(em: EntityManager, work: () => Promise<T>): Promise<T> {
  // A nested call would wait for the connection the outer transaction holds (SQLite has one).
  if (currentTransaction(em))
    throw new Error('transaction() does not nest: join the current one with WriteBatcher.run');
  const fork = em.fork();
  const events = new TransactionEventBroadcaster(fork, undefined, { topLevelTransaction: true });
  try {
    return await TransactionContext.create(fork, () =>
      fork.getConnection().transactional(
        async (trx) => {
          fork.setTransactionContext(trx);
          return work();
        },
        { eventBroadcaster: events },
      ),
    );
  } catch (error) {
    if (!isPostgres(em)) await rollBackLeftover(em);
    throw error;
  }
}

async function rollBackLeftover(em: EntityManager): Promise<void> {
  const client = em.getKnex().client;
  const connection = (await client.acquireConnection()) as Database;
  try {
    if (connection.inTransaction) connection.exec('rollback');
  } finally {
    await client.releaseConnection(connection);
  }
}
