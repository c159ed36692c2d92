import Database from 'better-sqlite3';

/** Reads a Tally SQLite file directly (read-only), as an auditor would. */
export function liveCountsByDescription(databasePath: string, prefix: string): Map<string, number> {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('select description, count(*) as n from expense where deleted_at is null and description like ? group by description')
      .all(`${prefix}%`) as Array<{ description: string; n: number }>;
    return new Map(rows.map((row) => [row.description, row.n]));
  } finally {
    db.close();
  }
}

export function integrityCheck(databasePath: string): string {
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}
