import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from './run-cli';
import { SQLITE_PRAGMAS } from '../database/orm.config';

/**
 * `npm run backup -- PATH`: a consistent copy of the live database, made with
 * SQLite's online backup API while the server keeps writing. The copy is a
 * complete database file: restore it by stopping the server and pointing
 * DATABASE_URL at it (or copying it over the original).
 */
runCli(async (config, args) => {
  const target = args[0];
  if (!target) throw new Error('usage: npm run backup -- PATH');
  if (config.database.engine === 'postgresql') {
    throw new Error(
      'DATABASE_URL is PostgreSQL: back it up with pg_dump, e.g. pg_dump --format=custom --file=tally.dump "$DATABASE_URL" (restore with pg_restore); see the README',
    );
  }
  const databasePath = config.database.path;
  if (databasePath === ':memory:')
    throw new Error('DATABASE_URL is sqlite::memory:; there is nothing on disk to back up');
  if (!existsSync(databasePath)) throw new Error(`no database at ${databasePath}`);
  const destination = resolve(process.cwd(), target);
  if (existsSync(destination)) throw new Error(`${destination} already exists; choose a new path`);

  const source = new Database(databasePath, { fileMustExist: true });
  try {
    source.pragma(SQLITE_PRAGMAS.find((pragma) => pragma.startsWith('busy_timeout')) as string);
    await source.backup(destination);
  } finally {
    source.close();
  }
  const copy = new Database(destination, { readonly: true });
  try {
    const check = copy.pragma('integrity_check', { simple: true });
    const expenses = copy.prepare('select count(*) as n from expense where deleted_at is null').get() as { n: number };
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${check}`);
    console.log(`backed up ${databasePath} to ${destination}: integrity ok, ${expenses.n} live expenses`);
  } finally {
    copy.close();
  }
});
