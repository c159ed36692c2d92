import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, startApp, tempDir, TestApp } from '../support/app';
import { BOT_TOKEN, FakeTelegram } from '../support/fake-telegram';
import { Client } from '../support/http';
import { botEnv, createToken, startServer } from '../support/server-process';
import { textUpdate } from '../support/updates';

describe('security', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores tokens only as hashes', async () => {
    const token = await t.token('hashed');
    const path = (t.config.database as { path: string }).path;
    const file = readFileSync(path).toString('latin1') + readFileSync(`${path}-wal`).toString('latin1');
    expect(file).not.toContain(token);
    expect(file).not.toContain(token.slice(6, 30));
  });

  it('rate-limits repeated bad tokens with 429 and Retry-After, without hurting a valid token', async () => {
    const good = new Client(t.url, await t.token('good'));
    const bad = new Client(t.url, `tally_${'A'.repeat(43)}`);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const answer = await bad.get('/expenses');
      statuses.push(answer.status);
      if (answer.status === 429) retryAfter = answer.headers.get('retry-after');
    }
    expect(statuses.slice(0, 29).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect((await good.get('/expenses')).status).toBe(200);
  });

  it('keys, deletes and summaries stay inside their ledger', async () => {
    const alice = new Client(t.url, await t.token('alice'));
    const mallory = new Client(t.url, await t.token('mallory'));
    const made = await alice.post('/expenses', { amount: '5', category: 'secret' }, { 'Idempotency-Key': 'k1' });
    // Mallory reuses Alice's key and deletes with it: a fresh request in her own ledger, not a replay of Alice's.
    const reuse = await mallory.post('/expenses', { amount: '5', category: 'secret' }, { 'Idempotency-Key': 'k1' });
    expect(reuse.status).toBe(201);
    expect(reuse.body.id).not.toBe(made.body.id);
    expect((await mallory.delete(`/expenses/${made.body.id}`, { 'Idempotency-Key': 'd1' })).status).toBe(404);
    expect((await alice.get(`/expenses/${made.body.id}`)).status).toBe(200);
    expect((await mallory.get('/expenses/summary')).body.count).toBe(1);
    expect((await mallory.get('/expenses/export.csv')).text).not.toContain(made.body.id);
  });
});

it('never writes a secret to the log', async () => {
  const dir = tempDir();
  const fake = await new FakeTelegram().start();
  try {
    const secret = 'log_test_webhook_secret_value';
    const env = { ...botEnv(`sqlite:${join(dir, 'tally.sqlite')}`, fake.url, secret), LOG_LEVEL: 'debug' };
    const token = createToken(env, 'logs');
    const server = await startServer(env);
    const api = new Client(server.url, token);
    await api.post('/expenses', { amount: '1', category: 'logs' });
    await api.get('/expenses?category=logs');
    await new Client(server.url, token.slice(0, -1) + 'x').get('/expenses');
    await fetch(`${server.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body: JSON.stringify(textUpdate('/token')),
    });
    await fetch(`${server.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
      body: '{}',
    });
    const issued = fake
      .messagesTo(42)
      .join('\n')
      .match(/tally_[A-Za-z0-9_-]{43}/)?.[0];
    expect(issued).toBeDefined();
    server.child.kill('SIGTERM');
    await server.exited;
    const log = server.output();
    expect(log).toMatch(/POST \/expenses 201/);
    for (const value of [token, secret, BOT_TOKEN, BOT_TOKEN.split(':')[1], issued!]) expect(log).not.toContain(value);
  } finally {
    await fake.stop();
    removeDir(dir);
  }
});
