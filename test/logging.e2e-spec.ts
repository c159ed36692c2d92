import { join } from 'node:path';
import { removeDir, tempDir } from './support/app';
import { BOT_TOKEN, FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { botEnv, createToken, startServer } from './support/server-process';
import { textUpdate } from './support/updates';

/** Logs (CONTRACT §10): one JSON object per line, a request id in and out, never a secret or a body. */
describe('logs', () => {
  it('JSON lines at debug level: request id echoed and logged with route, status, ms and ledger; no token (accepted or refused), secret, bot token or body', async () => {
    const dir = tempDir();
    const fake = await new FakeTelegram().start();
    try {
      const secret = 'json_log_webhook_secret_value';
      const env = {
        ...botEnv(`sqlite:${join(dir, 'tally.sqlite')}`, fake.url, secret),
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
      };
      const token = createToken(env, 'json-logs');
      const server = await startServer(env);
      const api = new Client(server.url, token);
      const created = await api.post(
        '/expenses',
        { amount: '1', category: 'logs', description: 'body-text-never-logged' },
        { 'X-Request-Id': 'req-abc-123' },
      );
      expect(created.status).toBe(201);
      expect(created.headers.get('x-request-id')).toBe('req-abc-123');
      const generated = await api.get('/expenses?category=logs');
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const odd = await api.get('/expenses');
      expect(odd.headers.get('x-request-id')).not.toBe(generated.headers.get('x-request-id'));
      const bad = await new Client(server.url, token).request('GET', '/expenses', {
        headers: { 'X-Request-Id': 'has spaces and ' + 'x'.repeat(200) },
      });
      expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await fetch(`${server.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(textUpdate('/token')),
      });
      const issued = fake
        .messagesTo(42)
        .join('\n')
        .match(/tally_[A-Za-z0-9_-]{43}/)?.[0];
      expect(issued).toBeDefined();
      // Refused credentials are secrets too (a typo of a real one, or someone else's): 401, and never logged.
      const unknownToken = `tally_${'R'.repeat(43)}`;
      const malformedToken = 'not-a-tally-token-but-maybe-a-password';
      const wrongSecret = 'wrong_webhook_secret_value';
      for (const rejected of [unknownToken, malformedToken])
        expect((await new Client(server.url, rejected).get('/expenses')).status).toBe(401);
      const refusedHook = await fetch(`${server.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': wrongSecret },
        body: JSON.stringify(textUpdate('/help')),
      });
      expect(refusedHook.status).toBe(401);
      server.child.kill('SIGTERM');
      await server.exited;

      const lines = server
        .output()
        .split('\n')
        .filter((line) => line.trim());
      const entries = lines.map((line) => JSON.parse(line) as Record<string, any>);
      expect(entries.length).toBeGreaterThan(5);
      for (const entry of entries)
        expect(entry).toMatchObject({ level: expect.any(Number), time: expect.any(String), msg: expect.any(String) });
      const request = entries.find((entry) => entry.reqId === 'req-abc-123');
      expect(request).toMatchObject({
        context: 'HTTP',
        method: 'POST',
        route: '/expenses',
        path: '/expenses',
        status: 201,
        ms: expect.any(Number),
        ledgerId: expect.any(Number),
      });
      const log = lines.join('\n');
      for (const value of [
        token,
        secret,
        BOT_TOKEN,
        BOT_TOKEN.split(':')[1],
        issued!,
        'body-text-never-logged',
        'category=logs',
        unknownToken,
        malformedToken,
        wrongSecret,
      ]) {
        expect(log).not.toContain(value);
      }
    } finally {
      await fake.stop();
      removeDir(dir);
    }
  });

  it('LOG_FORMAT=pretty keeps plain lines; a bad LOG_FORMAT stops start-up naming it', async () => {
    const dir = tempDir();
    try {
      const server = await startServer({ DATABASE_URL: `sqlite:${join(dir, 'tally.sqlite')}`, LOG_FORMAT: 'pretty' });
      await fetch(`${server.url}/health`, { headers: { 'X-Request-Id': 'pretty-1' } });
      server.child.kill('SIGTERM');
      await server.exited;
      expect(server.output()).toMatch(/GET \/health 200 [\d.]+ms \[pretty-1\]/);
      expect(() => JSON.parse(server.output().split('\n')[0])).toThrow();
      await expect(
        startServer({ DATABASE_URL: `sqlite:${join(dir, 'tally.sqlite')}`, LOG_FORMAT: 'xml' }, 5_000),
      ).rejects.toThrow(/LOG_FORMAT must be json or pretty/);
    } finally {
      removeDir(dir);
    }
  });
});
