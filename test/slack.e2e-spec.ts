import { startAppWithSlack, TestApp } from './support/app';
import { ENGINES } from './support/engines';
import { eventCallback, FakeSlack, messageTs, signedHeaders, slashCommand, TEAM } from './support/fake-slack';
import { Client } from './support/http';

/** Slack's front door (docs/API.md, Slack): signed requests, the /tally grammar, messages, edits and exactly-once claims. */
const CHANNEL_LEDGER = `slack:${TEAM}:C0GENERAL`;
const ANN_LEDGER = `slack:${TEAM}:U0ANN`;
const FORM = 'application/x-www-form-urlencoded';

describe.each(ENGINES)('%s: Slack', (engine) => {
  let t: TestApp;
  let fake: FakeSlack;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    ({ t, fake, stop } = await startAppWithSlack(engine));
  });
  afterEach(async () => {
    await stop();
  });

  async function post(
    route: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; ms: number }> {
    const started = Date.now();
    const response = await fetch(`${t.url}/slack/${route}`, { method: 'POST', headers, body });
    return { status: response.status, text: await response.text(), ms: Date.now() - started };
  }

  function command(text: string, fields: Record<string, string> = {}) {
    const body = new URLSearchParams(slashCommand(text, { response_url: fake.responseUrl(), ...fields })).toString();
    return post('commands', body, signedHeaders(body, { contentType: FORM }));
  }

  function deliver(envelope: Record<string, any>, retryNum?: number) {
    const body = JSON.stringify(envelope);
    return post('events', body, signedHeaders(body, { retryNum }));
  }

  function press(value: string, fields: Record<string, any> = {}) {
    const payload = {
      type: 'block_actions',
      team: { id: TEAM },
      user: { id: 'U0ANN', name: 'ann' },
      channel: { id: 'C0GENERAL', name: 'general' },
      response_url: fake.responseUrl(),
      actions: [{ action_id: 'record_again', value, type: 'button' }],
      ...fields,
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return post('interactions', body, signedHeaders(body, { contentType: FORM }));
  }

  function mention(text: string, ts = messageTs()) {
    return { type: 'app_mention', user: 'U0ANN', text: `<@U0TALLY> ${text}`, ts, channel: 'C0GENERAL', event_ts: ts };
  }

  function directMessage(text: string, ts = messageTs()) {
    return { type: 'message', channel_type: 'im', user: 'U0ANN', text, ts, channel: 'D0ANN', event_ts: ts };
  }

  async function expenses(ledger: string): Promise<any[]> {
    const answer = await new Client(t.url, await t.token(ledger)).get('/expenses');
    expect(answer.status).toBe(200);
    return answer.body.items;
  }

  describe('request verification', () => {
    const body = new URLSearchParams(slashCommand('12.50 food lunch')).toString();
    const cases: Array<[string, () => Record<string, string>]> = [
      ['no signature', () => ({ 'content-type': FORM })],
      [
        'a signature made with another secret',
        () => signedHeaders(body, { contentType: FORM, secret: 'not-the-secret' }),
      ],
      ['a timestamp six minutes old', () => signedHeaders(body, { contentType: FORM, at: Date.now() - 6 * 60_000 })],
      ['a timestamp six minutes ahead', () => signedHeaders(body, { contentType: FORM, at: Date.now() + 6 * 60_000 })],
      ['a body changed after signing', () => signedHeaders(body.replace('12.50', '99.50'), { contentType: FORM })],
    ];
    it.each(cases)('%s → 401 and nothing is recorded or sent', async (_name, headers) => {
      const answer = await post('commands', body, headers());
      expect(answer.status).toBe(401);
      const eventBody = JSON.stringify(eventCallback(directMessage('12.50 food lunch')));
      const { 'content-type': _type, ...rest } = headers();
      expect((await post('events', eventBody, { ...rest, 'content-type': 'application/json' })).status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(0);
      expect(await expenses(ANN_LEDGER)).toHaveLength(0);
      expect(fake.calls).toHaveLength(0);
    });

    it('a signed body with four minutes of clock skew is accepted', async () => {
      const answer = await post(
        'commands',
        body,
        signedHeaders(body, { contentType: FORM, at: Date.now() - 4 * 60_000 }),
      );
      expect(answer.status).toBe(200);
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(1);
    });

    it('url_verification is answered with its challenge, only when signed', async () => {
      const body = JSON.stringify({ token: 'x', challenge: 'c3VwZXItc2VjcmV0', type: 'url_verification' });
      const signed = await post('events', body, signedHeaders(body));
      expect(signed.status).toBe(200);
      expect(JSON.parse(signed.text)).toEqual({ challenge: 'c3VwZXItc2VjcmV0' });
      expect((await post('events', body, { 'content-type': 'application/json' })).status).toBe(401);
    });
  });

  describe('/tally', () => {
    it('12.50 food lunch records in the channel ledger and answers through response_url', async () => {
      const answer = await command('12.50 food lunch');
      expect(answer.status).toBe(200);
      const [reply] = await fake.waitFor(1);
      expect(reply.method).toBe('response');
      expect(reply.payload.text).toBe(
        `Recorded 12.50 USD for food (lunch) on ${(await expenses(CHANNEL_LEDGER))[0].date} as #1. /tally undo removes it.`,
      );
      const [expense] = await expenses(CHANNEL_LEDGER);
      expect(expense).toMatchObject({
        amount: '12.50',
        currency: 'USD',
        category: 'food',
        description: 'lunch',
        source: 'slack',
        author: { slackId: 'U0ANN', name: 'ann' },
      });
    });

    it('list, total, undo and help answer from the ledger', async () => {
      await command('12.50 food lunch');
      await command('€3 travel bus');
      await command('7 food snack');
      await fake.waitFor(3);

      await command('list food');
      let replies = await fake.waitFor(4);
      expect(replies[3].payload.text).toMatch(
        /^Expenses for food, all time, newest first:\n#3 .* 7\.00 USD {2}food — snack · ann\n#1 .* 12\.50 USD {2}food — lunch · ann\n\n2 expenses, total 19\.50 USD$/,
      );

      await command('total');
      replies = await fake.waitFor(5);
      expect(replies[4].payload.text).toBe(
        'Total all time: 3.00 EUR · 19.50 USD (3 expenses)\nfood: 19.50 USD\ntravel: 3.00 EUR',
      );

      await command('undo', { user_id: 'U0BEN', user_name: 'ben' });
      replies = await fake.waitFor(6);
      expect(replies[5].payload.text).toBe('Nothing of yours to undo in this chat.');
      await command('undo');
      replies = await fake.waitFor(7);
      expect(replies[6].payload.text).toMatch(/^Removed 7\.00 USD for food \(snack\) on .* \(#3\)\.$/);
      expect((await expenses(CHANNEL_LEDGER)).map((expense) => expense.number).sort()).toEqual([1, 2]);

      await command('help');
      replies = await fake.waitFor(8);
      expect(replies[7].payload).toMatchObject({ response_type: 'ephemeral' });
      expect(replies[7].payload.text).toContain('/tally 12.50 food lunch');
    });

    it('delete 2 removes expense #2 for the channel to see; a number not there, or none, says what to write to the user alone', async () => {
      await command('12.50 food lunch');
      await command('3 travel bus');
      await fake.waitFor(2);
      await command('delete 2');
      let replies = await fake.waitFor(3);
      expect(replies[2].payload.text).toMatch(/^Removed 3\.00 USD for travel \(bus\) on .* \(#2\)\.$/);
      expect(replies[2].payload.response_type).toBe('in_channel');
      await command('delete 9');
      replies = await fake.waitFor(4);
      expect(replies[3].payload).toMatchObject({
        text: 'No expense #9 in this chat. /tally list shows the numbers.',
        response_type: 'ephemeral',
      });
      await command('delete');
      replies = await fake.waitFor(5);
      expect(replies[4].payload).toMatchObject({
        text: 'Write it like this: /tally delete 12, with the #number shown by /tally list.',
        response_type: 'ephemeral',
      });
      expect((await expenses(CHANNEL_LEDGER)).map((expense) => expense.number)).toEqual([1]);
    });

    it('budget food 300 sets a monthly budget that budgets shows; off removes it; a wrong one shows the right form to the user alone', async () => {
      await command('budget food 300');
      let replies = await fake.waitFor(1);
      expect(replies[0].payload.text).toBe(
        'Budget set: food, 300.00 USD a month. I will tell this chat at 80% and at 100%.\nfood ░░░░░░░░░░ 0% · 0.00 of 300.00 USD',
      );
      await command('budget * 2000 EUR');
      await command('budgets');
      replies = await fake.waitFor(3);
      expect(replies[2].payload.text).toMatch(
        /^Budgets for \d{4}-\d{2}:\n(all spending ░{10} 0% · 0\.00 of 2000\.00 EUR\nfood ░{10} 0% · 0\.00 of 300\.00 USD|food ░{10} 0% · 0\.00 of 300\.00 USD\nall spending ░{10} 0% · 0\.00 of 2000\.00 EUR)$/,
      );
      await command('budget food off');
      await command('budget food lots');
      replies = await fake.waitFor(5);
      expect(replies[3].payload).toMatchObject({ text: 'Budget for food removed.', response_type: 'in_channel' });
      expect(replies[4].payload).toMatchObject({
        text: 'I could not read "food lots". Write it like this: /tally budget food 300 (optional currency: /tally budget travel 500 EUR; /tally budget * 2000 for all spending; /tally budget food off to remove it).',
        response_type: 'ephemeral',
      });
      await command('budgets');
      replies = await fake.waitFor(6);
      expect(replies[5].payload.text).toMatch(
        /^Budgets for \d{4}-\d{2}:\nall spending ░{10} 0% · 0\.00 of 2000\.00 EUR$/,
      );
    });

    it('chart uploads the same PNG as GET /expenses/chart.png to the channel, its caption as the comment; a wrong one says what to write', async () => {
      await command('12.50 food lunch');
      await command('40 travel train');
      await fake.waitFor(2);
      expect((await command('chart')).status).toBe(200);
      const [complete] = await fake.waitFor(1, 'files.completeUploadExternal');
      expect(complete.payload).toMatchObject({ channel_id: 'C0GENERAL', initial_comment: 'Spending all time' });
      const [asked] = fake.sent('files.getUploadURLExternal');
      expect(asked.payload).toMatchObject({ filename: 'chart.png' });
      const [upload] = fake.sent('upload');
      expect(JSON.parse(complete.payload.files)).toEqual([{ id: upload.payload.fileId, title: 'Spending all time' }]);
      const response = await fetch(`${t.url}/expenses/chart.png`, {
        headers: { authorization: `Bearer ${await t.token(CHANNEL_LEDGER)}` },
      });
      const png = Buffer.from(await response.arrayBuffer());
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect((upload.payload.bytes as Buffer).includes(png)).toBe(true);

      await command('chart food sometime');
      const replies = await fake.waitFor(3);
      expect(replies[2].payload).toMatchObject({ response_type: 'ephemeral' });
      expect(replies[2].payload.text).toMatch(/^I could not read "food sometime"\. Write it like this: \/tally chart/);
      expect(fake.sent('upload')).toHaveLength(1);
    });

    it('a chart Slack refuses to take is explained to the user alone', async () => {
      fake.failNext('files.getUploadURLExternal', 1, { status: 500 });
      expect((await command('chart month')).status).toBe(200);
      const [reply] = await fake.waitFor(1);
      expect(reply.payload).toMatchObject({ response_type: 'ephemeral' });
      expect(reply.payload.text).toMatch(/^I could not post the chart here \(.+\)\. In a channel, invite me first/);
      expect(fake.sent('files.completeUploadExternal')).toEqual([]);
    });

    it.each([
      ['twelve food', /"twelve" is not an amount|I did not understand "twelve food"/],
      ['12.505 food', /Not recorded: .*decimal.*\/tally 12\.50 food lunch/],
      ['12.50', /I need a category after the amount\. Write it like this: \/tally 12\.50 food lunch/],
      ['12.50 food @someday', /"@someday" is not a date I know/],
      ['list food never', /Write it like this: \/tally list food week/],
    ])('"%s" says what was wrong, shows the right form, records nothing', async (text, message) => {
      expect((await command(text)).status).toBe(200);
      const [reply] = await fake.waitFor(1);
      expect(reply.payload.text).toMatch(message);
      expect(reply.payload.response_type).toBe('ephemeral');
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(0);
    });

    it('token works only in a direct message, shown only to the user, and opens only that ledger', async () => {
      await command('token');
      let replies = await fake.waitFor(1);
      expect(replies[0].payload.text).toBe('For safety, /tally token works only in a direct message with me.');

      await command('5 food dm-only', { channel_id: 'D0ANN', channel_name: 'directmessage' });
      await command('9 food in-channel');
      await command('token', { channel_id: 'D0ANN', channel_name: 'directmessage' });
      replies = await fake.waitFor(4);
      expect(replies[3].payload.response_type).toBe('ephemeral');
      const token = replies[3].payload.text.split('\n').pop();
      expect(token).toMatch(/^tally_[A-Za-z0-9_-]{43}$/);
      const items = (await new Client(t.url, token).get('/expenses')).body.items;
      expect(items.map((expense: any) => expense.description)).toEqual(['dm-only']);
    });
  });

  describe('messages', () => {
    it('a direct-message add and a channel mention land in different ledgers, apart from Telegram and each other', async () => {
      await deliver(eventCallback(directMessage('4.20 coffee flat white')));
      await deliver(eventCallback(mention('30 team pizza')));
      const replies = await fake.waitFor(2);
      expect(replies.map((reply) => reply.payload.channel).sort()).toEqual(['C0GENERAL', 'D0ANN']);
      expect((await expenses(ANN_LEDGER)).map((expense) => expense.description)).toEqual(['flat white']);
      expect((await expenses(CHANNEL_LEDGER)).map((expense) => expense.description)).toEqual(['pizza']);
      expect(await expenses('telegram:1')).toHaveLength(0);
      expect(await expenses(`slack:${TEAM}:C0OTHER`)).toHaveLength(0);
    });

    it('a channel message that is not a mention, chatter in a DM, and our own messages record nothing', async () => {
      await deliver(
        eventCallback({
          type: 'message',
          channel_type: 'channel',
          user: 'U0ANN',
          text: '12 food',
          ts: messageTs(),
          channel: 'C0GENERAL',
        }),
      );
      await deliver(
        eventCallback({
          type: 'message',
          channel_type: 'im',
          bot_id: 'B0TALLY',
          text: '12 food',
          ts: messageTs(),
          channel: 'D0ANN',
        }),
      );
      await deliver(eventCallback(directMessage('hello there')));
      const replies = await fake.waitFor(1);
      expect(replies[0].payload.text).toMatch(/I did not understand "hello there"/);
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(0);
      expect(await expenses(ANN_LEDGER)).toHaveLength(0);
    });

    it('a message that arrives as app_mention and as message is recorded and answered once', async () => {
      const ts = messageTs();
      await Promise.all([
        deliver(eventCallback(mention('12 food twin', ts))),
        deliver(
          eventCallback({
            type: 'message',
            channel_type: 'channel',
            user: 'U0ANN',
            text: '<@U0TALLY> 12 food twin',
            ts,
            channel: 'C0GENERAL',
          }),
        ),
      ]);
      await fake.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(1);
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(1);
    });

    it('editing the message corrects its expense once, even when the edit is delivered twice', async () => {
      const ts = messageTs();
      await deliver(eventCallback(directMessage('12.50 food lunch', ts)));
      await fake.waitFor(1);
      const edit = eventCallback({
        type: 'message',
        subtype: 'message_changed',
        channel: 'D0ANN',
        channel_type: 'im',
        hidden: true,
        message: {
          type: 'message',
          user: 'U0ANN',
          text: '13.50 food dinner',
          ts,
          edited: { user: 'U0ANN', ts: messageTs() },
        },
        previous_message: { type: 'message', user: 'U0ANN', text: '12.50 food lunch', ts },
        ts: messageTs(),
      });
      const answers = await Promise.all([deliver(edit), deliver(edit, 1)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      const replies = await fake.waitFor(2);
      expect(replies[1].payload.text).toMatch(
        /^Updated: 13\.50 USD for food \(dinner\) on .* \(#1; amount 12\.50 → 13\.50, description lunch → dinner\)\.$/,
      );
      expect(replies[1].payload.thread_ts).toBe(ts);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(2);
      const [expense] = await expenses(ANN_LEDGER);
      expect(expense).toMatchObject({ amount: '13.50', description: 'dinner', number: 1 });
      const history = await new Client(t.url, await t.token(ANN_LEDGER)).get(`/expenses/${expense.id}/history`);
      expect(history.body.items).toHaveLength(1);
      expect(history.body.items[0]).toMatchObject({ source: 'slack', author: { slackId: 'U0ANN' } });
    });
  });

  describe('exactly once', () => {
    it('one event delivered three times at once, then as retry 1, records one expense and replies once', async () => {
      const envelope = eventCallback(directMessage('8 lunch sandwich'));
      const answers = await Promise.all([deliver(envelope), deliver(envelope), deliver(envelope)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      expect((await deliver(envelope, 1)).status).toBe(200);
      await fake.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(1);
      expect(await expenses(ANN_LEDGER)).toHaveLength(1);
    });

    it('a retry after a first attempt that failed records the expense once', async () => {
      await failClaims(t, engine, true);
      const envelope = eventCallback(directMessage('6 food retried'));
      const first = await deliver(envelope);
      expect(first.status).toBe(503);
      expect(await expenses(ANN_LEDGER)).toHaveLength(0);
      await failClaims(t, engine, false);
      expect((await deliver(envelope, 1)).status).toBe(200);
      expect((await deliver(envelope, 2)).status).toBe(200);
      await fake.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(1);
      expect((await expenses(ANN_LEDGER)).map((expense) => expense.description)).toEqual(['retried']);
    });

    it('the same expense twice is "already recorded" with a Record again button that records one more, once', async () => {
      await command('12 food lunch');
      await command('12 food lunch');
      const replies = await fake.waitFor(2);
      expect(replies[1].payload.text).toMatch(
        /^This is already recorded: 12\.00 USD for food \(lunch\) .* \(#1\)\. Press Record again if it is a second one\.$/,
      );
      const button = replies[1].payload.blocks[1].elements[0];
      expect(button).toMatchObject({ type: 'button', action_id: 'record_again', text: { text: 'Record again' } });

      const answers = await Promise.all([press(button.value), press(button.value)]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      expect((await press(button.value)).status).toBe(200);
      const after = await fake.waitFor(3);
      expect(after[2].payload).toMatchObject({ replace_original: true });
      expect(after[2].payload.text).toMatch(/^Recorded again: 12\.00 USD for food \(lunch\) .* as #2\.$/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(3);
      expect((await expenses(CHANNEL_LEDGER)).map((expense) => expense.number).sort()).toEqual([1, 2]);
    });
  });

  describe('a slow or limited Web API', () => {
    it('with every call 8 s slow, each request is acknowledged within 3 s and the reply arrives later', async () => {
      fake.slow('chat.postMessage', 8_000);
      fake.slow('response', 8_000);
      const answers = await Promise.all([deliver(eventCallback(directMessage('3 food slow'))), command('4 food slow')]);
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.ms).toBeLessThan(3_000);
      }
      expect(fake.replies()).toHaveLength(0);
      const replies = await fake.waitFor(2, undefined, 15_000);
      expect(replies.map((reply) => reply.payload.text).sort()).toEqual([
        expect.stringMatching(/^Recorded 3\.00 USD/),
        expect.stringMatching(/^Recorded 4\.00 USD/),
      ]);
      expect(await expenses(ANN_LEDGER)).toHaveLength(1);
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(1);
    }, 30_000);

    it('429 with Retry-After, then success: one reply each way, the expense recorded once', async () => {
      fake.failNext('chat.postMessage', 1, { status: 429, retryAfter: 1 });
      fake.failNext('response', 1, { status: 429, retryAfter: 1 });
      await deliver(eventCallback(directMessage('2 food limited')));
      await command('5 food limited');
      const replies = await fake.waitFor(2);
      expect(replies.map((reply) => reply.method).sort()).toEqual(['chat.postMessage', 'response']);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(fake.replies()).toHaveLength(2);
      expect(await expenses(ANN_LEDGER)).toHaveLength(1);
      expect(await expenses(CHANNEL_LEDGER)).toHaveLength(1);
    });

    it('a reply that fails for good loses nothing, and a retry of the event adds nothing', async () => {
      fake.failNext('chat.postMessage', 1, { status: 500 });
      const envelope = eventCallback(directMessage('11 food unanswered'));
      expect((await deliver(envelope)).status).toBe(200);
      expect((await deliver(envelope, 1)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(fake.replies()).toHaveLength(0);
      expect(await expenses(ANN_LEDGER)).toHaveLength(1);
    });
  });
});

/** Makes every chat claim fail (a database error in the recording transaction), or stops that. */
async function failClaims(t: TestApp, engine: string, on: boolean): Promise<void> {
  const { MikroORM } = await import('@mikro-orm/core');
  const connection = t.app.get(MikroORM).em.getConnection();
  if (engine === 'sqlite') {
    await connection.execute(
      on
        ? `create trigger fail_claims before insert on chat_claim begin select raise(abort, 'injected failure'); end`
        : 'drop trigger fail_claims',
    );
    return;
  }
  if (on) {
    await connection.execute(
      `create function fail_claims() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`,
    );
    await connection.execute(
      'create trigger fail_claims before insert on chat_claim for each row execute function fail_claims()',
    );
  } else {
    await connection.execute('drop trigger fail_claims on chat_claim');
    await connection.execute('drop function fail_claims()');
  }
}
