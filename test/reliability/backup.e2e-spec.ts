import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { removeDir, tempDir } from '../support/app';
import { integrityCheck } from '../support/database-file';
import { Client } from '../support/http';
import { createToken, ROOT, startServer, childEnv } from '../support/server-process';

/** `npm run backup -- PATH` copies the live database while it is written; the copy restores with every expense. */
it('backs up a database being written and restores every expense', async () => {
  const dir = tempDir();
  try {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'tally.sqlite')}` };
    const token = createToken(env, 'backup');
    const server = await startServer(env);
    const api = new Client(server.url, token);
    const before = await Promise.all(
      Array.from({ length: 100 }, (_, i) => api.post('/expenses', { amount: `${i + 1}`, category: 'before' })),
    );
    expect(before.every((a) => a.status === 201)).toBe(true);

    let writing = true;
    const during = (async () => {
      let i = 0;
      while (writing) await api.post('/expenses', { amount: `${++i}`, category: 'during' });
      return i;
    })();
    const backupPath = join(dir, 'copy.sqlite');
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the writer get going
    // Run asynchronously, so the writes above go on while the copy is made.
    const result = await promisify(execFile)(process.execPath, [join(ROOT, 'dist', 'cli', 'backup.js'), backupPath], {
      cwd: ROOT,
      env: { ...childEnv(), ...env },
      encoding: 'utf8',
    });
    writing = false;
    const writtenDuring = await during;
    server.child.kill('SIGTERM');
    await server.exited;
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/integrity ok/);
    expect(writtenDuring).toBeGreaterThan(10);
    expect(integrityCheck(backupPath)).toBe('ok');

    // Restore: start Tally on the copy.
    const restored = await startServer({ DATABASE_URL: `sqlite:${backupPath}` });
    try {
      const list = await new Client(restored.url, token).get('/expenses?category=before&limit=500');
      expect(list.body.count).toBe(100);
      expect(new Set(list.body.items.map((e: { id: string }) => e.id))).toEqual(new Set(before.map((a) => a.body.id)));
      console.log(
        `backup: copied while ${writtenDuring} writes ran; restored ${list.body.count} of 100 earlier expenses`,
      );
    } finally {
      restored.child.kill('SIGTERM');
      await restored.exited;
    }
  } finally {
    removeDir(dir);
  }
});
