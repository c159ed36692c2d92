import { FakeClock, outboxDelivered, startApp, startAppWithSlack, tempDir, TestApp, WEBHOOK_URL } from './support/app';
import { auditQuery } from './support/database-file';
import { ENGINES } from './support/engines';
import { FakeSlack, signedHeaders, slashCommand, TEAM } from './support/fake-slack';
import { BOT_TOKEN, FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';

/**
 * What Tally posts to Slack on its own (docs/API.md §12): budget alerts and
 * recurring postings, queued with what they report and sent through
 * chat.postMessage to the ledger's channel, or to the user for a direct
 * message's ledger. The app's clock is fixed, so the budget month is too.
 */
const FORM = 'application/x-www-form-urlencoded';
const DIRECT = { channel_id: 'D0ANN', channel_name: 'directmessage' };

describe.each(ENGINES)('%s: Slack, messages Tally posts on its own', (engine) => {
  const clock = new FakeClock(new Date('2026-11-20T12:00:00Z'));
  let t: TestApp;
  let fake: FakeSlack;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    clock.set('2026-11-20T12:00:00Z');
    ({ t, fake, stop } = await startAppWithSlack(engine, { clock }));
  });
  afterEach(() => stop());

  /** A slash command, signed at the app's clock time; resolves once its reply arrived. */
  async function command(text: string, fields: Record<string, string> = {}): Promise<string> {
    const replies = fake.sent('response').length;
    const body = new URLSearchParams(slashCommand(text, { response_url: fake.responseUrl(), ...fields })).toString();
    const response = await fetch(`${t.url}/slack/commands`, {
      method: 'POST',
      headers: signedHeaders(body, { contentType: FORM, at: clock.now().getTime() }),
      body,
    });
    expect(response.status).toBe(200);
    return (await fake.waitFor(replies + 1, 'response'))[replies].payload.text;
  }

  /** What chat.postMessage carried to `channel`, after the outbox sent all it holds. */
  async function postedTo(channel: string): Promise<string[]> {
    await outboxDelivered(t);
    return fake
      .sent('chat.postMessage')
      .filter((call) => call.payload.channel === channel)
      .map((call) => call.payload.text);
  }

  it('a channel budget alerts that channel once at 80 % and once at 100 %; a direct-message budget alerts its user', async () => {
    expect(await command('budget food 100')).toMatch(/^Budget set: food, 100\.00 USD a month\. I will tell this chat/);
    await command('85 food lunch');
    expect(await postedTo('C0GENERAL')).toEqual([
      'Budget alert: food is at 85% of its monthly budget (85.00 of 100.00 USD spent in 2026-11, 15.00 USD left).',
    ]);
    await command('10 food snack');
    await command('10 food tea');
    expect(await postedTo('C0GENERAL')).toEqual([
      'Budget alert: food is at 85% of its monthly budget (85.00 of 100.00 USD spent in 2026-11, 15.00 USD left).',
      'Budget exceeded: food is at 105% of its monthly budget (105.00 of 100.00 USD spent in 2026-11).',
    ]);

    await command('budget * 20', DIRECT);
    await command('25 taxi home', DIRECT);
    expect(await postedTo('U0ANN')).toEqual([
      'Budget exceeded: all spending is at 125% of its monthly budget (25.00 of 20.00 USD spent in 2026-11).',
    ]);
    // Nothing else went anywhere, and nothing waits to be sent.
    expect(fake.sent('chat.postMessage')).toHaveLength(3);
  });

  it('a recurring expense of a channel ledger is posted in the channel once per due date, with how to stop it', async () => {
    const rest = new Client(t.url, await t.token(`slack:${TEAM}:C0GENERAL`));
    const created = await rest.post('/recurring', {
      amount: '9.99',
      category: 'subscriptions',
      description: 'music',
      every: 'month',
      day: 5,
      start: '2026-10-01',
    });
    expect(created.status).toBe(201);
    const posts = await postedTo('C0GENERAL');
    expect(posts).toEqual(
      ['2026-10-05', '2026-11-05'].map((date, i) =>
        expect.stringMatching(
          new RegExp(
            `^Recurring expense recorded: 9\\.99 USD for subscriptions \\(music\\) on ${date} as #${i + 1}\\. DELETE /recurring/${created.body.id} \\(with this ledger's token\\) ends it\\.$`,
          ),
        ),
      ),
    );
    expect(await postedTo('C0GENERAL')).toHaveLength(2);
  });

  it('an instance that runs only the Telegram bot leaves a Slack message queued for one that runs Slack', async () => {
    const telegram = await new FakeTelegram().start();
    const config = { token: BOT_TOKEN, apiRoot: telegram.url, webhookUrl: WEBHOOK_URL, webhookSecret: 'other-secret' };
    const other = await startApp({ telegram: config }, engine, { db: t.db, dir: tempDir() }, clock);
    try {
      const rest = new Client(other.url, await other.token(`slack:${TEAM}:C0GENERAL`));
      expect((await rest.request('PUT', '/budgets/food', { body: { amount: '10' } })).status).toBe(201);
      expect((await rest.post('/expenses', { amount: '12', category: 'food' })).status).toBe(201);
      await outboxDelivered(other); // the Telegram-only instance has nothing it may send
      expect(telegram.callsOf('sendMessage')).toEqual([]);
    } finally {
      await other.app.close(); // the database is this test's: only the app goes
      await telegram.stop();
    }
    expect(await postedTo('C0GENERAL')).toEqual([
      'Budget exceeded: food is at 120% of its monthly budget (12.00 of 10.00 USD spent in 2026-11).',
    ]);
    const [row] = await auditQuery<{ attempts: number }>(t.db.target, 'select attempts from chat_message');
    expect(Number(row.attempts)).toBe(1); // taken once, by the Slack instance
  });
});
