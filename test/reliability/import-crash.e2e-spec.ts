import { removeDir, tempDir } from '../support/app';
import { auditQuery, liveCountsByDescription } from '../support/database-file';
import { ENGINES, freshDatabase, TestDatabase } from '../support/engines';
import { Client } from '../support/http';
import { createToken, ServerProcess, startServer } from '../support/server-process';

/**
 * kill -9 in the middle of an import, twice, then a restart: the import is
 * resumed from its last commit and ends with exactly the file's expenses,
 * identical rows (occurrences) included, none doubled, none lost.
 */
const ROWS = 60_000;

describe.each(ENGINES)('%s: import survives kill -9', (engine) => {
  let dir: string;
  let db: TestDatabase;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase(engine, dir);
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await db.drop();
    removeDir(dir);
  });

  /** Every 10th row repeats the one before it (an intentional duplicate); every 1000th is bad. */
  function file(): { csv: string; valid: number; bad: number } {
    const lines = ['date,amount,currency,category,description'];
    let valid = 0;
    let bad = 0;
    for (let i = 0; i < ROWS; i++) {
      const n = i % 10 === 9 ? i - 1 : i;
      if (i % 1000 === 500) {
        lines.push(`2026-13-01,1.00,USD,bad,bad ${i}`);
        bad++;
        continue;
      }
      lines.push(
        `2026-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')},${1 + (n % 500)}.${String(n % 100).padStart(2, '0')},USD,cat${n % 30},crash row ${n}`,
      );
      valid++;
    }
    return { csv: lines.join('\n'), valid, bad };
  }

  async function job(url: string, token: string, id: string) {
    return (await new Client(url, token).get(`/imports/${id}`)).body;
  }

  it('resumes after each kill and ends exact', async () => {
    const env = { DATABASE_URL: db.url };
    const token = createToken(env, 'import-crash');
    const { csv, valid, bad } = file();
    server = await startServer(env);
    const started = await new Client(server.url, token).request('POST', '/expenses/import', {
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(started.status).toBe(202);
    const id = started.body.id as string;

    const cutAt: number[] = [];
    for (let kill = 0; kill < 2; kill++) {
      // Wait for more progress than at the last kill, then kill mid-import.
      const goal = (cutAt.at(-1) ?? 0) + 4_000;
      let state;
      do {
        state = await job(server.url, token, id);
        await new Promise((resolve) => setTimeout(resolve, 20));
      } while (state.rowsRead < goal && state.state === 'running');
      server.child.kill('SIGKILL');
      await server.exited;
      expect(state.state).toBe('running'); // the kill did cut it off
      cutAt.push(state.rowsRead);
      server = await startServer(env);
    }

    const deadline = Date.now() + 120_000;
    let final;
    do {
      final = await job(server.url, token, id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } while (final.state === 'running' && Date.now() < deadline);
    console.log(
      `import crash (${engine}): killed at ${cutAt.join(' and ')} of ${ROWS} rows, then ${JSON.stringify({ ...final, rejected: final.rejected.length })}`,
    );
    expect(cutAt[0]).toBeGreaterThan(0);
    expect(final).toMatchObject({
      state: 'done',
      rowsRead: ROWS,
      recorded: valid,
      alreadyPresent: 0,
      rejectedCount: bad,
    });

    const live = await auditQuery<{ n: string }>(
      db.target,
      "select count(*) as n from expense where deleted_at is null and description like 'crash row %'",
    );
    expect(Number(live[0].n)).toBe(valid);
    const counts = await liveCountsByDescription(db.target, 'crash row ');
    for (const [description, n] of counts) {
      const row = Number(description.slice('crash row '.length));
      expect([description, n]).toEqual([
        description,
        row % 10 === 8 && row + 1 < ROWS && (row + 1) % 1000 !== 500 ? 2 : 1,
      ]);
    }
    const list = await new Client(server.url, token).get('/expenses?limit=1');
    expect(list.body.count).toBe(valid);
  }, 240_000);
});
