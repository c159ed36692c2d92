import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from './support/http';
import { removeDir, tempDir } from './support/app';
import { createToken, ROOT, startServer, childEnv } from './support/server-process';

describe('the production build as a process', () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = tempDir();
    env = { DATABASE_URL: `sqlite:${join(dir, 'tally.sqlite')}` };
  });
  afterEach(() => removeDir(dir));

  it('issues tokens while running, and every answered write survives kill -9', async () => {
    const server = await startServer(env);
    expect(server.output()).toMatch(/bot disabled/i);
    const token = createToken(env, 'household'); // while the server holds the database open
    expect(token).toMatch(/^tally_/);
    const api = new Client(server.url, token);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.post('/expenses', { amount: `${i + 1}.25`, category: 'crash', date: '2026-11-01' }),
      ),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    server.child.kill('SIGKILL');
    expect(await server.exited).toBe('SIGKILL');

    const again = await startServer(env);
    try {
      const list = await new Client(again.url, token).get('/expenses?limit=500');
      expect(list.body.count).toBe(40);
      expect(new Set(list.body.items.map((e: { id: string }) => e.id))).toEqual(new Set(answers.map((a) => a.body.id)));
      expect(list.body.total).toEqual({ USD: '830.00' });
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    }
  });

  it('without TELEGRAM_BOT_TOKEN the built app never loads grammY or the bot (start-up time)', () => {
    // Lists the loaded files of grammY and the bot's service after `work` (code run in the built app's folder).
    const loadedAfter = (work: string, extra: Record<string, string> = {}) => {
      const script = `
        require('reflect-metadata');
        const { loadConfig } = require('./dist/config/config');
        const loaded = () => Object.keys(require.cache).filter((file) => /node_modules[\\/]grammy[\\/]|dist[\\/]telegram[\\/]telegram/.test(file));
        Promise.resolve().then(async () => { ${work} }).then(() => console.log(JSON.stringify(loaded())));`;
      const result = spawnSync(process.execPath, ['-e', script], {
        cwd: ROOT,
        env: { ...env, ...extra, LOG_LEVEL: 'error', ...childEnv() },
        encoding: 'utf8',
      });
      expect(result.stderr).toBe('');
      return JSON.parse(result.stdout) as string[];
    };
    expect(loadedAfter(`const app = await require('./dist/app').createApp(loadConfig()); await app.close();`)).toEqual(
      [],
    );
    // The same check sees them once a bot is configured.
    expect(
      loadedAfter(`require('./dist/app.module').AppModule.forRoot(loadConfig());`, { TELEGRAM_BOT_TOKEN: '123:abc' })
        .length,
    ).toBeGreaterThan(0);
  });

  it('the token CLI prints usage and fails without a ledger name', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'token.js'), 'create'], {
      cwd: ROOT,
      env: { ...env, ...childEnv() },
      encoding: 'utf8',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/usage: npm run token -- create --ledger NAME/);
  });

  it.each([
    [{ DEFAULT_CURRENCY: 'XXY' }, 'DEFAULT_CURRENCY'],
    [{ DEFAULT_TIMEZONE: 'Mars/Olympus' }, 'DEFAULT_TIMEZONE'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ PORT: 'eighty' }, 'PORT'],
    [
      { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_WEBHOOK_URL: 'https://example.test/telegram/webhook' },
      'TELEGRAM_WEBHOOK_SECRET',
    ],
    [
      { TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_WEBHOOK_URL: 'not a url', TELEGRAM_WEBHOOK_SECRET: 's' },
      'TELEGRAM_WEBHOOK_URL',
    ],
    [
      {
        TELEGRAM_BOT_TOKEN: '123:abc',
        TELEGRAM_WEBHOOK_URL: 'https://x.test/',
        TELEGRAM_WEBHOOK_SECRET: 'bad secret!',
      },
      'TELEGRAM_WEBHOOK_SECRET',
    ],
  ])('bad configuration %p stops start-up with one line naming %s', (bad, variable) => {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.js')], {
      cwd: ROOT,
      env: { ...childEnv(), ...env, ...bad },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(variable);
  });

  it('on SQLite with nothing to migrate, serving loads neither the PostgreSQL driver, the migrator, the chart renderer nor Ajv', async () => {
    // A preload that writes, at exit, every module the process loaded.
    const preload = join(dir, 'loaded-modules.js');
    const listing = join(dir, 'loaded-modules.txt');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(listing)}, Object.keys(require.cache).join('\\n')));`,
    );
    const token = createToken(env, 'light'); // migrates
    const server = await startServer({ ...env, NODE_OPTIONS: `--require ${preload}` });
    const api = new Client(server.url, token);
    expect((await api.post('/expenses', { amount: '1', category: 'food' })).status).toBe(201);
    expect((await api.get('/expenses/summary')).status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    // Code only: MikroORM reads the package.json of every @mikro-orm package to compare versions.
    const loaded = readFileSync(listing, 'utf8')
      .split('\n')
      .filter((path) => !path.endsWith('.json'));
    expect(loaded.some((path) => path.includes('/dist/expenses/expenses.service.js'))).toBe(true); // the listing is real
    for (const heavy of [
      '/node_modules/pg/',
      '/node_modules/@mikro-orm/migrations/',
      '/node_modules/chart.js/',
      '/dist/charts/chart-image.js',
      '/node_modules/ajv/',
    ]) {
      expect([heavy, loaded.filter((path) => path.includes(heavy))]).toEqual([heavy, []]);
    }
  });
});
