import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DatabaseTarget, Engine } from '../../src/database/database-target';

/** Every engine-dependent suite runs once per engine: `describe.each(ENGINES)`. */
export const ENGINES: Engine[] = ['sqlite', 'postgresql'];

export interface TestDatabase {
  target: DatabaseTarget;
  /** DATABASE_URL for a Tally process on this database. */
  url: string;
  /** Removes the database (PostgreSQL); SQLite files go with their folder. */
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.TALLY_TEST_POSTGRES_URL;
  if (!url)
    throw new Error(
      'TALLY_TEST_POSTGRES_URL is not set: run the tests through jest (test/support/global-setup.ts starts PostgreSQL)',
    );
  return url;
}

async function admin<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database: a SQLite file in `dir`, or a new database in the run's PostgreSQL cluster. */
export async function freshDatabase(engine: Engine, dir: string): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const path = join(dir, 'tally.sqlite');
    return { target: { engine, path }, url: `sqlite:${path}`, drop: async () => undefined };
  }
  const name = `tally_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    target: { engine, url: url.toString() },
    url: url.toString(),
    drop: () => admin((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
