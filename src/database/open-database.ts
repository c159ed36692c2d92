import { IMigrator, MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver, EntityManager } from '@mikro-orm/knex';
import { CONNECT_TIMEOUT_MS, ormConfig } from './orm.config';
import { DatabaseTarget, Engine, redactUrl } from './database-target';
import { isPostgres } from './raw-sql';
import { MIGRATION_NAMES } from '../migrations/names';
import { LOCK_KEYS, withSessionLock } from './locks';

/** The database cannot be used at start-up; the message names DATABASE_URL and never its password. */
export class DatabaseUnreachableError extends Error {}

/**
 * Fails fast, within CONNECT_TIMEOUT_MS, when DATABASE_URL names a PostgreSQL
 * server that cannot be reached or refuses us. SQLite needs no check: the file
 * is created on first use.
 */
export async function checkReachable(target: DatabaseTarget): Promise<void> {
  if (target.engine !== 'postgresql') return;
  const { Client } = await import('pg');
  const client = new Client({ connectionString: target.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    const reason = ((error as Error).message || (error as { code?: string }).code || 'unknown error').split('\n')[0];
    throw new DatabaseUnreachableError(
      `DATABASE_URL: cannot use PostgreSQL at ${redactUrl(target.url)}: ${reason.split(target.url).join('…')}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Applies pending migrations, once even when several instances start together
 * (a session lock on PostgreSQL). A database already up to date is told from
 * the names alone, without loading the migrator.
 */
export async function migrate(orm: MikroORM<AbstractSqlDriver>): Promise<void> {
  if (await upToDate(orm)) return;
  const migrations = await migrator(orm);
  await withSessionLock(orm.em.fork() as EntityManager, LOCK_KEYS.migrations, () => migrations.up());
}

/** MikroORM's migrator with this engine's migrations, loaded on first use. */
export async function migrator(orm: MikroORM<AbstractSqlDriver>): Promise<IMigrator> {
  const { MIGRATIONS } = await import('../migrations');
  const { Migrator } = await import('@mikro-orm/migrations');
  orm.config.set('migrations', { ...orm.config.get('migrations'), migrationsList: MIGRATIONS[engineOf(orm)] });
  Migrator.register(orm);
  return orm.getMigrator();
}

async function upToDate(orm: MikroORM<AbstractSqlDriver>): Promise<boolean> {
  let rows: Array<{ name: string }>;
  try {
    rows = await orm.em.getConnection().execute('select name from mikro_orm_migrations');
  } catch {
    return false; // a new database: not even the migrations table yet
  }
  const done = new Set(rows.map((row) => row.name));
  return MIGRATION_NAMES[engineOf(orm)].every((name) => done.has(name));
}

function engineOf(orm: MikroORM<AbstractSqlDriver>): Engine {
  return isPostgres(orm.em as unknown as EntityManager) ? 'postgresql' : 'sqlite';
}

/** Opens and migrates the database outside Nest, for the command-line tools. */
export async function openDatabase(target: DatabaseTarget): Promise<MikroORM<AbstractSqlDriver>> {
  await checkReachable(target);
  const orm = await MikroORM.init(ormConfig(target));
  await migrate(orm);
  return orm;
}
