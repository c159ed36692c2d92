import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/knex';
import type { Database, Statement } from 'better-sqlite3';
import type { Client as PgClient } from 'pg';
import type { Engine } from './database-target';

/**
 * The engine-specific door for hot paths: plain SQL with `?` placeholders on
 * the connection a transaction runs on, with statements prepared once per
 * connection instead of built by knex on every call. Both engines accept the
 * SQL the callers write (INSERT … ON CONFLICT, RETURNING, SAVEPOINT); only how
 * it reaches the driver differs, and that is decided here.
 */
export interface RawSql {
  /** Which engine answers: for the few statements written differently for each (see totals.repository.ts). */
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

/** True when the EntityManager talks to PostgreSQL (asked of knex, so SQLite processes never load the PostgreSQL driver). */
export function isPostgres(em: EntityManager): boolean {
  return em.getKnex().client.dialect === 'postgresql';
}
