import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { removeDir, startAppWithBot, tempDir } from './support/app';
import { operatorSql } from './support/database-file';
import { ENGINES, freshDatabase, TestDatabase } from './support/engines';
import { Client } from './support/http';
import { ROOT, ServerProcess, startServer, childEnv } from './support/server-process';
import { textUpdate } from './support/updates';
import { people, webhookPoster } from './support/webhook';

/** Token management (CONTRACT §10): the CLI and the bot, against real processes on both engines. */
describe.each(ENGINES)('%s', (engine) => {
  let dir: string;
  let db: TestDatabase;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase(engine, dir);
    server = await startServer({ DATABASE_URL: db.url });
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await db.drop();
    removeDir(dir);
  });

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'token.js'), ...args], {
      cwd: dir,
      env: { ...childEnv(), DATABASE_URL: db.url },
      encoding: 'utf8',
    });
  const create = (...args: string[]) => {
    const result = cli('create', ...args);
    expect(result.status).toBe(0);
    return result.stdout.trim().split('\n').pop()!;
  };
  const listJson = (...args: string[]) =>
    JSON.parse(cli('list', '--json', ...args).stdout) as Array<Record<string, any>>;

  /** Polls until the server answers `status` for the token; resolves how long that took. */
  async function within(token: string, status: number, limitMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const answer = await new Client(server.url, token).get('/expenses');
      if (answer.status === status) return Date.now() - started;
      if (Date.now() - started > limitMs) throw new Error(`still ${answer.status} after ${limitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('create with a label and an expiry; list shows them, never the token; last use is recorded', async () => {
    const token = create('--ledger', 'tokens-a', '--label', 'laptop', '--expires-days', '30');
    expect(token).toMatch(/^tally_[A-Za-z0-9_-]{43}$/);
    const [listed] = listJson('--ledger', 'tokens-a');
    expect(listed).toEqual({
      id: expect.any(Number),
      ledger: 'tokens-a',
      label: 'laptop',
      createdAt: expect.any(String),
      lastUsedAt: null,
      expiresAt: expect.any(String),
    });
    const days = (Date.parse(listed.expiresAt) - Date.parse(listed.createdAt)) / 86_400_000;
    expect(days).toBe(30);

    expect((await new Client(server.url, token).get('/expenses')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(listJson('--ledger', 'tokens-a')[0].lastUsedAt).toEqual(expect.any(String));

    const table = cli('list');
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^ID +LEDGER +LABEL +CREATED +LAST USED +EXPIRES$/m);
    expect(table.stdout).toMatch(new RegExp(`^${listed.id} +tokens-a +laptop `, 'm'));
    expect(table.stdout + cli('list', '--json').stdout).not.toContain(token);
  });

  it('revoke ID from another process: the running server refuses the token within 5 s; other tokens keep working', async () => {
    const token = create('--ledger', 'tokens-b', '--label', 'leaked');
    const other = create('--ledger', 'tokens-b', '--label', 'kept');
    expect((await new Client(server.url, token).get('/expenses')).status).toBe(200); // now cached in the server
    const id = listJson('--ledger', 'tokens-b').find((t) => t.label === 'leaked')!.id;
    const revoked = cli('revoke', String(id));
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^Revoked token ${id} of ledger "tokens-b" \\(leaked\\)`));
    const ms = await within(token, 401, 6_000);
    expect(ms).toBeLessThan(5_000);
    expect((await new Client(server.url, other).get('/expenses')).status).toBe(200);
    expect(listJson('--ledger', 'tokens-b').map((t) => t.label)).toEqual(['kept']);
    expect(cli('revoke', String(id)).stderr).toMatch(/^no token \d+/);
  });

  it('an expired token is 401', async () => {
    const token = create('--ledger', 'tokens-c', '--expires-days', '1');
    expect((await new Client(server.url, token).get('/expenses')).status).toBe(200);
    const [listed] = listJson('--ledger', 'tokens-c');
    await operatorSql(
      db.target,
      'update api_token set expires_at = ? where id = ?',
      new Date(Date.now() - 1000).toISOString(),
      listed.id,
    );
    expect(await within(token, 401, 6_000)).toBeLessThan(5_000);
  });

  it('says what is wrong', () => {
    for (const [args, message] of [
      [['create', '--ledger', 'x', '--expires-days', '0'], /^expires-days must be a whole number from 1 to 3650/],
      [['create', '--ledger', 'x', '--label', 'x'.repeat(101)], /^label must be 1-100 characters/],
      [['revoke', 'abc'], /^usage:/],
      [['revoke', '999999'], /^no token 999999/],
      [['list', '--ledger', 'nobody'], /^no ledger named "nobody"/],
      [['rotate'], /^usage:/],
    ] as Array<[string[], RegExp]>) {
      const result = cli(...args);
      expect([args, result.status]).toEqual([args, 1]);
      expect(result.stderr.trim()).toMatch(message);
    }
  });
});

describe.each(ENGINES)('%s: /tokens and /revoke in the chat', (engine) => {
  const SECRET = 'tokens_webhook-secret';
  it("lists this chat's tokens, revokes one at once, and nobody else's; only in a private chat", async () => {
    const { t, fake, stop } = await startAppWithBot(SECRET, engine);
    try {
      const deliver = webhookPoster(() => t.url, SECRET);
      const person = people(51000, 'Holder');
      const say = async (text: string, from: { id: number; first_name: string }, chatId = from.id) => {
        expect(await deliver(textUpdate(text, { from, chatId }))).toBe(200);
        return fake.messagesTo(chatId).at(-1)!;
      };
      const ann = person();
      const bob = person();
      const token = (await say('/token', ann)).split('\n').pop()!;
      expect((await new Client(t.url, token).get('/expenses')).status).toBe(200);
      const listed = await say('/tokens', ann);
      const id = /^(\d+): from \/token — made \S+ \S+, last used \S+ \S+$/m.exec(listed)![1];
      expect(listed).not.toContain(token);
      expect(await say('/tokens', bob)).toBe('No API tokens for this chat. /token makes one.');
      expect(await say(`/revoke ${id}`, bob)).toBe(`No token ${id} for this chat. /tokens lists them.`);
      expect((await new Client(t.url, token).get('/expenses')).status).toBe(200);
      expect(await say(`/revoke ${id}`, ann, -100777)).toBe(
        'For safety, /revoke works only in a private chat with me.',
      );
      expect(await say(`/revoke ${id}`, ann)).toBe(
        `Revoked token ${id} (from /token). It stops working everywhere within 5 seconds.`,
      );
      expect((await new Client(t.url, token).get('/expenses')).status).toBe(401);
      expect(await say('/tokens', ann)).toBe('No API tokens for this chat. /token makes one.');
    } finally {
      await stop();
    }
  });
});
