import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { DatabaseTarget } from '../../src/database/database-target';

/** Runs one read-only query straight on the database, as an auditor would (`?` placeholders). */
export function auditQuery<T>(target: DatabaseTarget, sql: string, ...params: unknown[]): Promise<T[]> {
  return direct<T>(target, 'read', sql, params);
}

/** Live expenses per description, for descriptions starting with `prefix`. */
export async function liveCountsByDescription(target: DatabaseTarget, prefix: string): Promise<Map<string, number>> {
  const rows = await auditQuery<{ description: string; n: number | string }>(
    target,
    'select description, count(*) as n from expense where deleted_at is null and description like ? group by description',
    `${prefix}%`,
  );
  return new Map(rows.map((row) => [row.description, Number(row.n)]));
}

export function integrityCheck(databasePath: string): string {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

/** Changes the database behind the application's back, as an operator with a SQL shell would (`?` placeholders). */
export async function operatorSql(target: DatabaseTarget, sql: string, ...params: unknown[]): Promise<void> {
  await direct(target, 'write', sql, params);
}

/** One statement on its own connection, outside the application: a read-only SQLite handle for reads. */
async function direct<T>(target: DatabaseTarget, mode: 'read' | 'write', sql: string, params: unknown[]): Promise<T[]> {
  if (target.engine === 'sqlite') {
    const db = new Database(target.path, { readonly: mode === 'read', fileMustExist: true });
    try {
      if (mode === 'read') return db.prepare(sql).all(...params) as T[];
      db.pragma('busy_timeout = 5000');
      db.prepare(sql).run(...params);
      return [];
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    let n = 0;
    return (
      await client.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as T[];
  } finally {
    await client.end();
  }
}
