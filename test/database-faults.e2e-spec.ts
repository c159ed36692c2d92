import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { removeDir, startApp, tempDir, TestApp } from './support/app';
import { Client } from './support/http';
import { PostgresCluster, startPostgres } from './support/postgres-cluster';
import { ROOT, childEnv } from './support/server-process';
import { MIGRATIONS } from '../src/migrations';

/** What users see when PostgreSQL is wrong at start-up or goes away while Tally runs (CONTRACT §11). */
const PASSWORD = 'pw-that-must-not-leak';

function startWith(databaseUrl: string): { status: number | null; output: string; ms: number } {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: { ...childEnv(), PORT: '0', DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`, ms: Date.now() - started };
}

describe('postgresql: a bad DATABASE_URL stops start-up within 10 s with one line naming it, never its password', () => {
  const cases: Array<[string, () => string]> = [
    ['nothing listens on the port', () => `postgresql://tally:${PASSWORD}@127.0.0.1:1/tally`],
    ['the host does not resolve', () => `postgres://tally:${PASSWORD}@no-such-host.invalid:5432/tally`],
    [
      'the database does not exist',
      () =>
        `${process.env.TALLY_TEST_POSTGRES_URL!.replace('postgres@', `postgres:${PASSWORD}@`).replace(/\/postgres$/, '/no_such_db')}`,
    ],
    ['the URL has no database name', () => `postgresql://tally:${PASSWORD}@127.0.0.1:5432`],
  ];
  it.each(cases)('%s', (_name, url) => {
    const { status, output, ms } = startWith(url());
    expect(status).not.toBe(0);
    expect(ms).toBeLessThan(10_000);
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL/);
    expect(output).not.toContain(PASSWORD);
  });
});

describe('postgresql: the database lost while running', () => {
  let cluster: PostgresCluster;
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    // A server of this suite's own, so stopping it touches no other suite.
    cluster = await startPostgres();
    dir = tempDir();
    const admin = new PgClient({ connectionString: cluster.adminUrl });
    await admin.connect();
    await admin.query('create database lost');
    await admin.end();
    t = await startApp({ database: { engine: 'postgresql', url: cluster.adminUrl.replace(/\/postgres$/, '/lost') } });
  });
  afterAll(async () => {
    await t?.close();
    cluster?.stop();
    removeDir(dir);
  });

  it('answers 503 JSON on /health and on requests, recovers by itself, and keeps everything acknowledged', async () => {
    const api = new Client(t.url, await t.token('lost'));
    const before = await api.post('/expenses', { amount: '5.00', category: 'lost', description: 'before' });
    expect(before.status).toBe(201);

    cluster.pause();
    const health = await new Client(t.url).get('/health');
    expect(health.status).toBe(503);
    expect(health.body).toEqual({ status: 'unavailable' });
    for (const answer of [
      await api.post('/expenses', { amount: '6.00', category: 'lost', description: 'during' }),
      await api.get('/expenses'),
    ]) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(answer.text).not.toMatch(/at .*\.js/);
    }

    cluster.resume();
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 15_000 && status !== 200) {
      status = (await new Client(t.url).get('/health')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    const after = await api.post('/expenses', { amount: '7.00', category: 'lost', description: 'after' });
    expect(after.status).toBe(201);
    const list = await api.get('/expenses?category=lost');
    expect(list.body.items.map((item: { description: string }) => item.description).sort()).toEqual([
      'after',
      'before',
    ]);
    expect(list.body.total).toEqual({ USD: '12.00' });
  });
});

describe('postgresql: the command-line tools', () => {
  const run = (script: string, databaseUrl: string, ...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', `${script}.js`), ...args], {
      cwd: ROOT,
      env: { ...childEnv(), DATABASE_URL: databaseUrl },
      encoding: 'utf8',
    });

  it('npm run migrate migrates, npm run token issues a working token, npm run backup points to pg_dump', async () => {
    const dir = tempDir();
    const { freshDatabase } = await import('./support/engines');
    const db = await freshDatabase('postgresql', dir);
    try {
      const migrated = run('migrate', db.url);
      expect(migrated.status).toBe(0);
      expect(migrated.stdout).toContain(`is at migration ${MIGRATIONS.postgresql.at(-1)!.name}`);
      const issued = run('token', db.url, 'create', '--ledger', 'cli');
      expect(issued.status).toBe(0);
      expect(issued.stdout.trim().split('\n').pop()).toMatch(/^tally_[A-Za-z0-9_-]{43}$/);
      const backup = run('backup', db.url, join(dir, 'copy'));
      expect(backup.status).not.toBe(0);
      expect(backup.stderr).toMatch(/pg_dump/);
    } finally {
      await db.drop();
      removeDir(dir);
    }
  });
});
