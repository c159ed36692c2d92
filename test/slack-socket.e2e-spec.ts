import { startAppWithSlack, TestApp } from './support/app';
import { ENGINES, freshDatabase } from './support/engines';
import { eventCallback, FakeSlack, messageTs, slashCommand, TEAM } from './support/fake-slack';
import { Client } from './support/http';
import { tempDir, removeDir } from './support/app';

/** Slack's Socket Mode (SLACK_APP_TOKEN): the WebSocket twin of the HTTP routes, with the same claims. */
function dm(text: string, ts = messageTs()) {
  return { type: 'message', channel_type: 'im', user: 'U0ANN', text, ts, channel: 'D0ANN', event_ts: ts };
}

async function expenses(t: TestApp, ledger: string): Promise<any[]> {
  return (await new Client(t.url, await t.token(ledger)).get('/expenses')).body.items;
}

describe.each(ENGINES)('%s: Slack in Socket Mode', (engine) => {
  let t: TestApp;
  let fake: FakeSlack;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    ({ t, fake, stop } = await startAppWithSlack(engine, { socketMode: true }));
    await fake.waitForConnections(1);
  });
  afterEach(async () => {
    await stop();
  });

  it('connects with the app token, acknowledges each envelope by its id, and claims as over HTTP', async () => {
    const open = fake.sent('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0].payload.authorization).toBe('Bearer xapp-1-test-app-token');

    const event = eventCallback(dm('7.25 food noodles'));
    const first = fake.sendEnvelope('events_api', event);
    const retry = fake.sendEnvelope('events_api', event, { retryAttempt: 1 });
    const command = fake.sendEnvelope(
      'slash_commands',
      slashCommand('3 travel bus', { response_url: fake.responseUrl() }),
    );
    await fake.waitForAcks([first, retry, command]);
    const replies = await fake.waitFor(2);
    expect(replies.map((reply) => reply.method).sort()).toEqual(['chat.postMessage', 'response']);
    expect(replies.find((reply) => reply.method === 'chat.postMessage')!.payload.authorization).toBe(
      'Bearer xoxb-1-test-bot-token',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.replies()).toHaveLength(2);
    expect((await expenses(t, `slack:${TEAM}:U0ANN`)).map((expense) => expense.description)).toEqual(['noodles']);
    expect((await expenses(t, `slack:${TEAM}:C0GENERAL`)).map((expense) => expense.description)).toEqual(['bus']);
  });

  it('serves no HTTP routes for Slack', async () => {
    const answer = await fetch(`${t.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(404);
  });
});

describe('postgresql: Slack in Socket Mode on two instances', () => {
  it('both hold a connection; the same event through both records once; the second carries on when the first stops', async () => {
    const fake = await new FakeSlack().start();
    const dir = tempDir();
    const db = await freshDatabase('postgresql', dir);
    const a = await startAppWithSlack('postgresql', { socketMode: true, fake, existing: { db, dir } });
    const b = await startAppWithSlack('postgresql', { socketMode: true, fake, existing: { db, dir } });
    try {
      await fake.waitForConnections(2);
      const event = eventCallback(dm('15 food twice'));
      const ids = [
        fake.sendEnvelope('events_api', event, { index: 0 }),
        fake.sendEnvelope('events_api', event, { index: 1, retryAttempt: 1 }),
      ];
      await fake.waitForAcks(ids);
      await fake.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(1);
      expect(await expenses(a.t, `slack:${TEAM}:U0ANN`)).toHaveLength(1);

      await a.t.app.close();
      await fake.waitForConnections(1);
      const later = fake.sendEnvelope('events_api', eventCallback(dm('4 food after')));
      await fake.waitForAcks([later]);
      await fake.waitFor(2);
      expect((await expenses(b.t, `slack:${TEAM}:U0ANN`)).map((expense) => expense.description).sort()).toEqual([
        'after',
        'twice',
      ]);
    } finally {
      await b.t.app.close();
      await fake.stop();
      await db.drop();
      removeDir(dir);
    }
  });
});
