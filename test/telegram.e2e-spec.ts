import { todayIn } from '../src/common/calendar';
import { startApp, startAppWithBot, TestApp, WEBHOOK_URL } from './support/app';
import { BOT_TOKEN, FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { ANN, BOB, callbackUpdate, GROUP_ID, newUpdateId, textUpdate } from './support/updates';
import { ENGINES } from './support/engines';

describe.each(ENGINES)('%s', (engine) => {
  const SECRET = 'test_webhook-secret';

  let fake: FakeTelegram;
  let t: TestApp;
  let stop: () => Promise<void>;
  let chat = 9000;

  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine));
  });
  afterAll(() => stop());

  /** A private chat no other test uses. */
  function person() {
    chat++;
    return { id: chat, first_name: `User${chat}` };
  }

  async function deliver(update: object, secret: string | null = SECRET): Promise<number> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers['X-Telegram-Bot-Api-Secret-Token'] = secret;
    const response = await fetch(`${t.url}/telegram/webhook`, {
      method: 'POST',
      headers,
      body: JSON.stringify(update),
    });
    await response.text();
    return response.status;
  }

  async function say(text: string, from = ANN, chatId = from.id): Promise<string> {
    const before = fake.messagesTo(chatId).length;
    expect(await deliver(textUpdate(text, { from, chatId }))).toBe(200);
    const messages = fake.messagesTo(chatId);
    expect(messages.length).toBe(before + 1);
    return messages[messages.length - 1];
  }

  async function restFor(from: typeof ANN): Promise<Client> {
    const reply = await say('/token', from);
    return new Client(t.url, reply.split('\n').pop());
  }

  describe('start-up', () => {
    it('registers the webhook with its secret and the command list', () => {
      expect(fake.callsOf('setWebhook')[0]).toMatchObject({ url: WEBHOOK_URL, secret_token: SECRET });
      // Without edited_message Telegram would never tell us a message was edited.
      expect(fake.callsOf('setWebhook')[0].allowed_updates).toEqual(
        expect.arrayContaining(['message', 'edited_message', 'callback_query']),
      );
      const commands = fake.callsOf('setMyCommands')[0].commands.map((c: { command: string }) => c.command);
      expect(commands).toEqual(
        expect.arrayContaining([
          'add',
          'edit',
          'list',
          'total',
          'undo',
          'delete',
          'export',
          'currency',
          'timezone',
          'token',
          'help',
        ]),
      );
    });
  });

  describe('webhook secret', () => {
    it.each([[null], ['wrong'], [SECRET + 'x']])('secret %p: 401 and nothing handled', async (secret) => {
      const ann = person();
      const calls = fake.calls.length;
      expect(await deliver(textUpdate('/add 5 food', { from: ann }), secret)).toBe(401);
      expect(fake.calls.length).toBe(calls);
      const rest = await restFor(ann);
      expect((await rest.get('/expenses')).body.count).toBe(0);
    });
  });

  describe('commands', () => {
    it('/start and /help explain with examples', async () => {
      const ann = person();
      expect(await say('/start', ann)).toMatch(/\/add 12.50 food/);
      expect(await say('/help', ann)).toMatch(/\/list/);
    });

    it('/add records and confirms amount, category and date; REST sees it via /token', async () => {
      const ann = person();
      const today = todayIn('UTC');
      expect(await say('/add 12.50 food lunch with Ann', ann)).toBe(
        `Recorded 12.50 USD for food (lunch with Ann) on ${today} as #1. /undo removes it; editing your message corrects it.`,
      );
      expect(await say('/add €3,20 Coffee @2026-11-20', ann)).toMatch(/^Recorded 3.20 EUR for coffee on 2026-11-20/);
      expect(await say('/add 1200 JPY sushi @yesterday', ann)).toMatch(/^Recorded 1200 JPY for sushi/);
      const rest = await restFor(ann);
      const list = await rest.get('/expenses');
      expect(list.body.count).toBe(3);
      expect(list.body.items[0]).toMatchObject({
        source: 'telegram',
        author: { telegramId: ann.id, name: ann.first_name },
      });
      // And the other way: REST writes show up in the chat, and the dedup key spans both doors.
      expect(
        (await rest.post('/expenses', { amount: '12.50', category: 'food', description: 'lunch with Ann' })).status,
      ).toBe(200);
      await rest.post('/expenses', { amount: '40', category: 'books' });
      expect(await say('/total books', ann)).toMatch(/^Total for books, all time: 40.00 USD \(1 expense\)/);
    });

    it('a plain message starting with an amount is a quick add in private chats only', async () => {
      const ann = person();
      expect(await say('12.5 food lunch', ann)).toMatch(/^Recorded 12.50 USD for food \(lunch\)/);
      expect(await say('hello', ann)).toMatch(/did not understand/);
      const before = fake.messagesTo(GROUP_ID).length;
      expect(await deliver(textUpdate('12.5 food in group', { from: ann, chatId: GROUP_ID }))).toBe(200);
      expect(fake.messagesTo(GROUP_ID).length).toBe(before);
    });

    it('unparseable input explains the right form and records nothing', async () => {
      const ann = person();
      expect(await say('/add food 12', ann)).toMatch(/"food" is not an amount. Write it like this: \/add 12.50 food/);
      expect(await say('/add 12.345 food', ann)).toMatch(
        /Not recorded: amount must have at most 2 decimal places for USD/,
      );
      expect(await say('/add 12 food @2026-02-30', ann)).toMatch(/Not recorded: date must be a real calendar date/);
      expect(await say('/add 0 food', ann)).toMatch(/greater than 0/);
      expect(await say('/list food someday', ann)).toMatch(/Write it like this: \/list food week/);
      expect(await say('/total', ann)).toMatch(/Total all time: nothing \(0 expenses\)/);
    });

    it('/list pages 20 at a time with a More button, then count and total of all', async () => {
      const ann = person();
      for (let day = 1; day <= 25; day++) {
        await deliver(textUpdate(`/add ${day} rent @2026-01-${String(day).padStart(2, '0')}`, { from: ann }));
      }
      await deliver(textUpdate('/add 7 food @2026-01-10', { from: ann }));
      const first = await say('/list rent', ann);
      const lines = first.split('\n');
      expect(lines[0]).toBe('Expenses for rent, all time, newest first:');
      expect(lines.slice(1, 21).every((line) => line.endsWith('  rent'))).toBe(true);
      expect(lines[1]).toMatch(/^#25 {2}2026-01-25 {2}25.00 USD {2}rent$/);
      expect(first).toMatch(/25 expenses, total 325.00 USD$/);
      const sent = fake.lastMessageTo(ann.id)!;
      const button = sent.payload.reply_markup.inline_keyboard[0][0];
      expect(button.text).toBe('More');
      await deliver(
        callbackUpdate(button.callback_data, { message_id: sent.result.message_id, chatId: ann.id }, { from: ann }),
      );
      const second = fake.messagesTo(ann.id).pop()!;
      expect(
        second
          .split('\n')
          .filter((line) => line.endsWith('  rent'))
          .map((line) => line.split('  ').slice(0, 2).join(' ')),
      ).toEqual(['#5 2026-01-05', '#4 2026-01-04', '#3 2026-01-03', '#2 2026-01-02', '#1 2026-01-01']);
      expect(fake.lastMessageTo(ann.id)!.payload.reply_markup).toBeUndefined();
      expect(fake.callsOf('answerCallbackQuery').length).toBeGreaterThan(0);
      expect(await say('/list week', ann)).toBe('No expenses the last 7 days.');
    });

    it('/total gives per-currency totals and a line per category', async () => {
      const ann = person();
      await say('/add 10 food', ann);
      await say('/add 5.5 food pizza', ann);
      await say('/add €20 travel', ann);
      expect(await say('/total', ann)).toBe(
        ['Total all time: 20.00 EUR · 15.50 USD (3 expenses)', 'food: 15.50 USD', 'travel: 20.00 EUR'].join('\n'),
      );
      expect(await say('/total food today', ann)).toBe('Total for food, today: 15.50 USD (2 expenses)');
    });

    it('/undo removes the newest expense this user added in this chat', async () => {
      const ann = person();
      await say('/add 1 a', ann);
      await say('/add 2 b', ann);
      expect(await say('/undo', ann)).toMatch(/^Removed 2.00 USD for b on /);
      expect(await say('/undo', ann)).toMatch(/^Removed 1.00 USD for a on /);
      expect(await say('/undo', ann)).toBe('Nothing of yours to undo in this chat.');
    });

    it('/delete NUMBER (as /list shows it) or the long id removes one expense of this chat only', async () => {
      const ann = person();
      const bob = person();
      await say('/add 9 taxi', ann);
      await say('/add 4 bus', ann);
      const lines = (await say('/list', ann)).split('\n');
      expect(lines[1]).toMatch(/^#2 {2}\d{4}-\d\d-\d\d {2}4.00 USD {2}bus$/);
      expect(lines[2]).toMatch(/^#1 {2}.* taxi$/);
      expect(await say('/delete 1', bob)).toBe('No expense #1 in this chat. /list shows the numbers.');
      expect(await say('/delete #1', ann)).toMatch(/^Removed 9.00 USD for taxi on .* \(#1\)\.$/);
      expect(await say('/delete 1', ann)).toMatch(/No expense #1/);
      const rest = await restFor(ann);
      const bus = (await rest.get('/expenses')).body.items[0];
      expect(bus.number).toBe(2);
      expect(await say(`/delete ${bus.id}`, ann)).toMatch(/^Removed 4.00 USD for bus on .* \(#2\)\.$/);
      expect((await rest.get('/expenses')).body.count).toBe(0);
      expect(await say('/delete', ann)).toMatch(/Write it like this: \/delete 12/);
      expect(await say('/delete twelve', ann)).toMatch(/Write it like this: \/delete 12/);
    });

    it('/export sends the chat expenses as a CSV document', async () => {
      const ann = person();
      await say('/add 4 food tea, "green"', ann);
      await deliver(textUpdate('/export', { from: ann }));
      const doc = fake
        .callsOf('sendDocument')
        .filter((p) => Number(p.chat_id) === ann.id)
        .pop()!;
      const file = Object.values(doc.files)[0] as { filename: string; content: string };
      expect(file.filename).toMatch(/^tally-\d{4}-\d\d-\d\d\.csv$/);
      expect(file.content).toMatch(/^id,date,amount,currency,category,description,source,author,createdAt\r\n/);
      expect(file.content).toContain(',4.00,USD,food,"tea, ""green""",telegram,');
      expect(doc.caption).toBe('1 expense in this chat.');
    });

    it('/currency and /timezone show and set the chat defaults', async () => {
      const ann = person();
      expect(await say('/currency', ann)).toMatch(/currency is USD/);
      expect(await say('/currency eur', ann)).toMatch(/now EUR/);
      expect(await say('/currency EURO', ann)).toMatch(/not an ISO 4217/);
      expect(await say('/add 5 food', ann)).toMatch(/5.00 EUR/);
      expect(await say('/timezone Mars/Base', ann)).toMatch(/not a time zone/);
      expect(await say('/timezone pacific/kiritimati', ann)).toMatch(/now Pacific\/Kiritimati/);
      expect(await say('/timezone', ann)).toMatch(/Pacific\/Kiritimati/);
      expect(await say('/add 1 x', ann)).toContain(todayIn('Pacific/Kiritimati'));
    });

    it('/token only in private chats', async () => {
      expect(await say('/token', ANN, GROUP_ID)).toMatch(/only in a private chat/);
      expect(await say('/token', ANN)).toMatch(/\ntally_[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('group and private ledgers', () => {
    it('a group shares one ledger, names authors, and is separate from private chats', async () => {
      const group = GROUP_ID - 1;
      expect(await say('/add@TallyBot 30 groceries', ANN, group)).toMatch(/^Recorded 30.00 USD/);
      expect(await say('/add 12 pizza', BOB, group)).toMatch(/^Recorded 12.00 USD/);
      const list = await say('/list', BOB, group);
      expect(list).toMatch(/pizza · Bob Stone/);
      expect(list).toMatch(/groceries · Ann/);
      expect(await say('/undo', BOB, group)).toMatch(/pizza/);
      expect(await say('/total', ANN, group)).toMatch(/^Total all time: 30.00 USD \(1 expense\)/);
      const bobAlone = { ...BOB, id: BOB.id };
      expect(await say('/total', bobAlone)).not.toMatch(/30.00/);
    });
  });

  describe('exactly once', () => {
    it('a retried delivery records once and replies once', async () => {
      const ann = person();
      const update = textUpdate('/add 8 lunch', { from: ann });
      expect(await deliver(update)).toBe(200);
      expect(await deliver(update)).toBe(200);
      expect(await deliver(update)).toBe(200);
      expect(fake.messagesTo(ann.id)).toHaveLength(1);
      const rest = await restFor(ann);
      expect((await rest.get('/expenses')).body.count).toBe(1);
    });

    it('ten concurrent deliveries of one update: one expense, one reply, all answered 200', async () => {
      const ann = person();
      const update = textUpdate('/add 8.88 burst', { from: ann });
      const statuses = await Promise.all(Array.from({ length: 10 }, () => deliver(update)));
      expect(statuses).toEqual(Array(10).fill(200));
      expect(fake.messagesTo(ann.id)).toHaveLength(1);
      const rest = await restFor(ann);
      expect((await rest.get('/expenses')).body.count).toBe(1);
    });

    it('the same expense again: "already recorded" and a Record again button that records once', async () => {
      const ann = person();
      await say('/add 6 cinema', ann);
      expect(await say('/add 6 Cinema', ann)).toMatch(
        /^This is already recorded: 6.00 USD for cinema on .* Press Record again/,
      );
      const sent = fake.lastMessageTo(ann.id)!;
      const button = sent.payload.reply_markup.inline_keyboard[0][0];
      expect(button.text).toBe('Record again');
      const press = callbackUpdate(
        button.callback_data,
        { message_id: sent.result.message_id, chatId: ann.id },
        { from: ann },
      );
      expect(await deliver(press)).toBe(200);
      expect(await deliver(press)).toBe(200); // the callback retried
      const pressAgain = callbackUpdate(
        button.callback_data,
        { message_id: sent.result.message_id, chatId: ann.id },
        { from: ann },
      );
      expect(await deliver(pressAgain)).toBe(200); // pressed a second time
      const answers = fake
        .callsOf('answerCallbackQuery')
        .filter((a) => [press.callback_query.id, pressAgain.callback_query.id].includes(a.callback_query_id));
      expect(answers.map((a) => a.text)).toEqual([
        expect.stringMatching(/^Recorded again: 6.00 USD/),
        'Already recorded again.',
      ]);
      expect(fake.callsOf('editMessageReplyMarkup').some((p) => p.message_id === sent.result.message_id)).toBe(true);
      const rest = await restFor(ann);
      expect((await rest.get('/expenses')).body.count).toBe(2);
    });

    it('a failing sendMessage never causes a second expense', async () => {
      const ann = person();
      fake.failAlways('sendMessage', { status: 500, description: 'Internal Server Error' });
      const update = textUpdate('/add 3 fragile', { from: ann });
      try {
        expect(await deliver(update)).toBe(200);
        expect(await deliver(update)).toBe(200);
      } finally {
        fake.heal('sendMessage');
      }
      const attempts = fake.callsOf('sendMessage').filter((p) => Number(p.chat_id) === ann.id);
      expect(attempts.length).toBeGreaterThanOrEqual(1);
      const rest = await restFor(ann);
      const list = await rest.get('/expenses');
      expect(list.body.count).toBe(1);
    });

    it('a 429 with retry_after is retried and the reply arrives once', async () => {
      const ann = person();
      fake.failNext('sendMessage', 1, { status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
      expect(await deliver(textUpdate('/add 2 patience', { from: ann }))).toBe(200);
      expect(fake.messagesTo(ann.id).filter((m) => m.startsWith('Recorded'))).toHaveLength(2); // the 429'd attempt and the retry
      expect(
        fake.calls.filter((c) => c.method === 'sendMessage' && Number(c.payload.chat_id) === ann.id && c.result),
      ).toHaveLength(1);
    });
  });

  describe('polling mode', () => {
    it('takes updates from getUpdates and replies', async () => {
      const pollFake = await new FakeTelegram().start();
      const polling = await startApp({ telegram: { token: BOT_TOKEN, apiRoot: pollFake.url } }, engine);
      try {
        pollFake.pushUpdate(textUpdate('/add 4.40 polled', { from: ANN, updateId: newUpdateId() }));
        const reply = await pollFake.waitFor(() => pollFake.messagesTo(ANN.id)[0]);
        expect(reply).toMatch(/^Recorded 4.40 USD for polled/);
        expect(pollFake.callsOf('setWebhook')).toHaveLength(0);
      } finally {
        await polling.close();
        await pollFake.stop();
      }
    });
  });
});
