import { join } from 'node:path';
import { removeDir, tempDir } from '../support/app';
import { integrityCheck, liveCountsByDescription } from '../support/database-file';
import { createToken, startServer } from '../support/server-process';

/** SIGTERM under load: requests in flight finish, new ones are refused cleanly, the database closes, exit 0. */
it('shuts down cleanly under load', async () => {
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
    console.log(`shutdown: ${answers.filter((a) => a.status === 201).length} finished, ${answers.filter((a) => a.status !== 201).length} refused cleanly, exit 0`);
  } finally {
    removeDir(dir);
  }
});
