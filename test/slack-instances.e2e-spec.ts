import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { removeDir, tempDir } from './support/app';
import { freshDatabase, TestDatabase } from './support/engines';
import {
  eventCallback,
  FakeSlack,
  messageTs,
  SIGNING_SECRET,
  signedHeaders,
  SLACK_BOT_TOKEN,
  TEAM,
} from './support/fake-slack';
import { Client } from './support/http';
import { childEnv, createToken, ROOT, ServerProcess, startServer } from './support/server-process';

/** Slack through the production build: two processes on one PostgreSQL database, and start-up checks. */
describe('postgresql: Slack on two instances', () => {
  let dir: string;
  let db: TestDatabase;
  let fake: FakeSlack;
  let servers: ServerProcess[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = tempDir();
    db = await freshDatabase('postgresql', dir);
    fake = await new FakeSlack().start();
    env = { DATABASE_URL: db.url, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_ROOT: fake.apiRoot };
    servers = await Promise.all([startServer(env), startServer(env)]);
  });
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await fake.stop();
    await db.drop();
    removeDir(dir);
  });

  it('says in its log that Slack is on, in HTTP mode', () => {
    expect(servers[0].output()).toMatch(
      /HTTP mode: Slack posts to \/slack\/commands, \/slack\/events and \/slack\/interactions/,
    );
  });

  it('the same events delivered to both at once record once each and are answered once each', async () => {
    const envelopes = Array.from({ length: 10 }, (_, i) => {
      const ts = messageTs();
      return eventCallback({
        type: 'message',
        channel_type: 'im',
        user: 'U0ANN',
        text: `${i + 1}.50 food race ${i}`,
        ts,
        channel: 'D0ANN',
        event_ts: ts,
      });
    });
    const statuses = await Promise.all(
      envelopes.flatMap((envelope) =>
        servers.map((server, retryNum) => {
          const body = JSON.stringify(envelope);
          return fetch(`${server.url}/slack/events`, {
            method: 'POST',
            headers: signedHeaders(body, { retryNum: retryNum || undefined }),
            body,
          }).then((answer) => answer.status);
        }),
      ),
    );
    expect(statuses).toEqual(Array(20).fill(200));
    await fake.waitFor(10);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.replies()).toHaveLength(10);
    const token = createToken(env, `slack:${TEAM}:U0ANN`);
    const items = (await new Client(servers[0].url, token).get('/expenses?limit=100')).body.items;
    expect(items.map((expense: any) => expense.description).sort()).toEqual(
      envelopes.map((_, i) => `race ${i}`).sort(),
    );
  });
});

describe('Slack configuration at start-up', () => {
  function start(extra: Record<string, string>): { status: number | null; output: string } {
    const dir = tempDir();
    try {
      const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'main.js')], {
        cwd: ROOT,
        env: { ...childEnv(), PORT: '0', DATABASE_URL: `sqlite:${join(dir, 'tally.sqlite')}`, ...extra },
        encoding: 'utf8',
        timeout: 20_000,
      });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    } finally {
      removeDir(dir);
    }
  }

  it('SLACK_BOT_TOKEN without SLACK_SIGNING_SECRET stops start-up with one line naming it', () => {
    const { status, output } = start({ SLACK_BOT_TOKEN });
    expect(status).not.toBe(0);
    expect(output.trim().split('\n')).toHaveLength(1);
    expect(output).toMatch(/SLACK_SIGNING_SECRET/);
  });

  it('a token that is not a bot token stops start-up with one line naming it', () => {
    const { status, output } = start({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: SIGNING_SECRET });
    expect(status).not.toBe(0);
    expect(output.trim().split('\n')).toEqual([expect.stringMatching(/SLACK_BOT_TOKEN/)]);
  });
});
