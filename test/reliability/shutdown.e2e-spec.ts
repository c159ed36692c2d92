import { request } from 'node:http';
import { join } from 'node:path';
import { removeDir, tempDir } from '../support/app';
import { auditQuery, integrityCheck, liveCountsByDescription, operatorSql } from '../support/database-file';
import { FakeTelegram } from '../support/fake-telegram';
import { textUpdate } from '../support/updates';
import { botEnv, createToken, startServer } from '../support/server-process';

/**
 * SIGTERM under load: every request ends as 201, 503 or a refused connection
 * (never a 500), every 201 is stored, the file is intact, exit 0. That work in
 * flight at SIGTERM finishes is proven by the slow-webhook case below.
 */
it('SIGTERM under load: only 201, 503 or refused, every 201 stored, exit 0', async () => {
  const dir = tempDir();
  try {
    const databasePath = join(dir, 'tally.sqlite');
    const env = { DATABASE_URL: `sqlite:${databasePath}` };
    const token = createToken(env, 'shutdown');
    const server = await startServer(env);
    const send = (i: number) =>
      fetch(`${server.url}/expenses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: `${i + 1}`, category: 'shutdown', description: `s-${i}` }),
        // A connection cut while the body is being sent can leave fetch waiting forever.
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (response) => ({ i, status: response.status, body: await response.text() }),
        () => ({ i, status: 0, body: '' }),
      );
    const first = Array.from({ length: 60 }, (_, i) => send(i));
    await new Promise((resolve) => setTimeout(resolve, 30));
    server.child.kill('SIGTERM');
    const late = Array.from({ length: 30 }, (_, i) => send(100 + i));
    const answers = await Promise.all([...first, ...late]);
    expect(await server.exited).toBe(0);

    // Never a 500: either done (201), or refused cleanly (503 while closing, or connection refused).
    for (const answer of answers) expect([0, 201, 503]).toContain(answer.status);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    expect(integrityCheck(databasePath)).toBe('ok');
    const stored = await liveCountsByDescription({ engine: 'sqlite', path: databasePath }, 's-');
    for (const answer of answers.filter((a) => a.status === 201)) expect(stored.get(`s-${answer.i}`)).toBe(1);
    console.log(
      `shutdown: ${answers.filter((a) => a.status === 201).length} finished, ${answers.filter((a) => a.status !== 201).length} refused cleanly, exit 0`,
    );
  } finally {
    removeDir(dir);
  }
});

const SECRET = 'shutdown_secret';

/** A GET /health on a new connection: its status, or the connection error's code. */
function probe(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(`${url}/health`, { agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

it('a webhook in flight at SIGTERM (its reply waiting on a slow Bot API) finishes with 200 and its reply, while new connections get 503 or are refused; exit 0', async () => {
  const dir = tempDir();
  const fake = await new FakeTelegram().start();
  try {
    const databasePath = join(dir, 'tally.sqlite');
    const env = botEnv(`sqlite:${databasePath}`, fake.url, SECRET);
    const server = await startServer(env);
    fake.slowNext('sendMessage', 1, 3_000);
    const update = textUpdate('/add 4.20 shutdown slow-hook', { from: { id: 77_001, first_name: 'S' } });
    const webhook = fetch(`${server.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    }).then(
      (response) => response.status,
      () => 0,
    );
    // The expense is recorded and the reply is on its way to the Bot API, which takes 3 s: the webhook is certainly unanswered.
    while (fake.callsOf('sendMessage').length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    server.child.kill('SIGTERM');
    // Probe once the process says it took the signal: before that, a 200 is right and proves nothing.
    while (!/SIGTERM received/.test(server.output())) await new Promise((resolve) => setTimeout(resolve, 5));

    const probes: Array<number | string> = [];
    let answered = false;
    const probing = (async () => {
      while (!answered) {
        probes.push(await probe(server.url));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const status = await webhook;
    answered = true;
    await probing;
    expect(await server.exited).toBe(0);

    expect(status).toBe(200);
    expect(fake.calls.filter((call) => call.method === 'sendMessage' && call.result)).toHaveLength(1); // the reply went out
    expect([
      ...(await liveCountsByDescription({ engine: 'sqlite', path: databasePath }, 'slow-hook')).values(),
    ]).toEqual([1]);
    // New connections during the shutdown were turned away cleanly, never served or answered 500.
    expect(probes.length).toBeGreaterThan(0);
    for (const answer of probes) expect([503, 'ECONNREFUSED', 'ECONNRESET']).toContain(answer);
    console.log(
      `shutdown: a webhook in flight at SIGTERM answered ${status} with its reply sent; ${probes.length} new connections meanwhile: ${[...new Set(probes)].join(', ')}`,
    );
  } finally {
    await fake.stop();
    removeDir(dir);
  }
}, 60_000);

it('a CSV export streaming at SIGTERM finishes whole; exit 0', async () => {
  const dir = tempDir();
  try {
    const target = { engine: 'sqlite' as const, path: join(dir, 'tally.sqlite') };
    const env = { DATABASE_URL: `sqlite:${target.path}` };
    const token = createToken(env, 'export-at-sigterm');
    const [{ id: ledgerId }] = await auditQuery<{ id: number }>(
      target,
      'select id from ledger where name = ?',
      'export-at-sigterm',
    );
    // 100,000 expenses (about 8 MB of CSV): far more than the socket buffers hold, so the export is
    // still being read from the database when the signal comes.
    const ROWS = 100_000;
    await operatorSql(
      target,
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
       insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
       select printf('export%020d', i), ?, 100 + i, 'USD', 'stream', 'row ' || i, '2026-11-01', 'api', 'export-key-' || i, 1, '2026-11-01T00:00:00.000Z', i from n`,
      ROWS,
      ledgerId,
    );
    const server = await startServer(env);
    const response = await fetch(`${server.url}/expenses/export.csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true }); // the export has begun
    server.child.kill('SIGTERM');
    while (!/SIGTERM received/.test(server.output())) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += decoder.decode(chunk.value, { stream: true });
    expect(await server.exited).toBe(0);

    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(ROWS + 1); // the header and every row
    expect(new Set(lines.slice(1).map((line) => /row (\d+)/.exec(line)?.[1])).size).toBe(ROWS);
  } finally {
    removeDir(dir);
  }
}, 60_000);
