import { addDays, todayIn } from '../src/common/calendar';
import { startAppWithBot, TestApp } from './support/app';
import { FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { editedUpdate, GROUP_ID, textUpdate } from './support/updates';
import { ENGINES } from './support/engines';
import { people, webhookPoster } from './support/webhook';

/** Correcting an expense from Telegram (CONTRACT §7): edited messages and /edit, through real webhook POSTs. */
describe.each(ENGINES)('%s', (engine) => {
  const SECRET = 'edit_webhook-secret';
  let fake: FakeTelegram;
  let t: TestApp;
  let stop: () => Promise<void>;
  const today = todayIn('UTC');

  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine));
  });
  afterAll(() => stop());

  const person = people(31000, 'Editor');
  const deliver = webhookPoster(() => t.url, SECRET);

  /** Delivers an update and returns what the bot sent to the chat because of it. */
  async function exchange(update: object, chatId: number): Promise<string[]> {
    const before = fake.messagesTo(chatId).length;
    expect(await deliver(update)).toBe(200);
    return fake.messagesTo(chatId).slice(before);
  }

  async function send(text: string, from: { id: number; first_name: string }, chatId = from.id) {
    const update = textUpdate(text, { from, chatId });
    const replies = await exchange(update, chatId);
    expect(replies).toHaveLength(1);
    return { update, reply: replies[0] };
  }

  async function restFor(from: { id: number; first_name: string }): Promise<Client> {
    const { reply } = await send('/token', from);
    return new Client(t.url, reply.split('\n').pop());
  }

  it('editing the message that recorded an expense corrects it and replies Updated, once', async () => {
    const ann = person();
    const { update, reply } = await send('12.5 food lunch', ann);
    expect(reply).toMatch(/as #1\./);
    const replies = await exchange(editedUpdate(update, '13.5 food dinner'), ann.id);
    expect(replies).toEqual([
      `Updated: 13.50 USD for food (dinner) on ${today} (#1; amount 12.50 → 13.50, description lunch → dinner).`,
    ]);
    const sent = fake.lastMessageTo(ann.id)!;
    expect(sent.payload.reply_parameters).toMatchObject({ message_id: update.message.message_id });

    const rest = await restFor(ann);
    const list = await rest.get('/expenses');
    expect(list.body).toMatchObject({ count: 1, total: { USD: '13.50' } });
    const expense = list.body.items[0];
    expect(expense).toMatchObject({
      number: 1,
      amount: '13.50',
      description: 'dinner',
      source: 'telegram',
      updatedAt: expect.any(String),
    });
    const history = (await rest.get(`/expenses/${expense.id}/history`)).body.items;
    expect(history).toEqual([
      {
        at: expect.any(String),
        source: 'telegram',
        author: { telegramId: ann.id, name: ann.first_name },
        changes: { amount: { from: '12.50', to: '13.50' }, description: { from: 'lunch', to: 'dinner' } },
      },
    ]);
  });

  it('an edit redelivered three times and twice at once changes once and replies once', async () => {
    const ann = person();
    const { update } = await send('/add 20 books', ann);
    const edit = editedUpdate(update, '/add 25 books');
    const before = fake.messagesTo(ann.id).length;
    const statuses = await Promise.all([deliver(edit), deliver(edit)]);
    for (let i = 0; i < 3; i++) statuses.push(await deliver(edit));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(fake.messagesTo(ann.id).slice(before)).toEqual([expect.stringMatching(/^Updated: 25.00 USD for books/)]);

    // A later, different edit of the same message is a new correction.
    expect(await exchange(editedUpdate(update, '/add 30 books'), ann.id)).toEqual([
      expect.stringMatching(/^Updated: 30.00 USD .*25.00 → 30.00/),
    ]);
    const rest = await restFor(ann);
    const expense = (await rest.get('/expenses')).body.items[0];
    expect(expense.amount).toBe('30.00');
    expect((await rest.get(`/expenses/${expense.id}/history`)).body.items).toHaveLength(2);
  });

  it('an edit that no longer parses gets the parse error and changes nothing', async () => {
    const ann = person();
    const { update } = await send('7 snacks', ann);
    const [reply] = await exchange(editedUpdate(update, 'seven snacks'), ann.id);
    expect(reply).toMatch(/^Not changed: "seven" is not an amount\. Write it like this/);
    const [tooPrecise] = await exchange(editedUpdate(update, '7.123 snacks'), ann.id);
    expect(tooPrecise).toMatch(/^Not changed: amount .*2 decimal/);
    const rest = await restFor(ann);
    const expense = (await rest.get('/expenses')).body.items[0];
    expect(expense).toMatchObject({ amount: '7.00', category: 'snacks' });
    expect(expense.updatedAt).toBeUndefined();
  });

  it('edits of messages that recorded nothing are ignored: chatter, a duplicate, a command, another chat', async () => {
    const ann = person();
    const bob = person();
    const first = await send('5 tea', ann);
    const duplicate = await send('5 tea', ann);
    expect(duplicate.reply).toMatch(/already recorded/);
    const listing = await send('/list', ann);
    const calls = fake.calls.length;
    expect(await exchange(editedUpdate(duplicate.update, '6 tea'), ann.id)).toEqual([]);
    expect(await exchange(editedUpdate(listing.update, '/list tea'), ann.id)).toEqual([]);
    // The same message id in another chat names nothing there.
    const foreign = editedUpdate(first.update, '99 tea');
    foreign.edited_message.chat = { id: bob.id, type: 'private', first_name: bob.first_name } as never;
    foreign.edited_message.from = { ...bob, is_bot: false, language_code: 'en' } as never;
    expect(await exchange(foreign, bob.id)).toEqual([]);
    expect(fake.calls.length).toBe(calls);
    const rest = await restFor(ann);
    expect((await rest.get('/expenses')).body).toMatchObject({ count: 1, total: { USD: '5.00' } });
  });

  it('an edit of a removed expense says so and records nothing', async () => {
    const ann = person();
    const { update } = await send('3 gum', ann);
    await send('/undo', ann);
    expect(await exchange(editedUpdate(update, '4 gum'), ann.id)).toEqual([
      '#1 was removed, so this edit changes nothing. Send the expense again instead.',
    ]);
    const rest = await restFor(ann);
    expect((await rest.get('/expenses')).body.count).toBe(0);
  });

  it('dates in a message and in its edit count from the day it was sent, not the day it arrived', async () => {
    const ann = person();
    const update = textUpdate('8 lunch', { from: ann });
    update.message.date -= 3 * 86_400;
    const sentOn = addDays(today, -3);
    expect(await exchange(update, ann.id)).toEqual([
      expect.stringMatching(new RegExp(`^Recorded 8.00 USD for lunch on ${sentOn} as #1`)),
    ]);
    expect(await exchange(editedUpdate(update, '9 lunch @yesterday'), ann.id)).toEqual([
      `Updated: 9.00 USD for lunch on ${addDays(sentOn, -1)} (#1; amount 8.00 → 9.00, date ${sentOn} → ${addDays(sentOn, -1)}).`,
    ]);
  });

  it("works in groups, on the chat's own expenses", async () => {
    const ann = person();
    const group = GROUP_ID - ann.id; // a group of its own
    const { update } = await send('/add@TallyBot 30 groceries', ann, group);
    expect(await exchange(editedUpdate(update, '/add@TallyBot 32 groceries'), group)).toEqual([
      expect.stringMatching(/^Updated: 32.00 USD for groceries/),
    ]);
    const list = await send('/list', ann, group);
    expect(list.reply).toMatch(/#1 {2}\S+ {2}32.00 USD {2}groceries/);
  });

  describe('/edit', () => {
    it('/edit NUMBER … corrects by number (and by long id), keeping currency and date unless given', async () => {
      const ann = person();
      await send('/add 10 EUR taxi airport @2026-11-02', ann);
      expect((await send('/edit 1 12 taxi airport', ann)).reply).toBe(
        'Updated: 12.00 EUR for taxi (airport) on 2026-11-02 (#1; amount 10.00 → 12.00).',
      );
      const rest = await restFor(ann);
      const expense = (await rest.get('/expenses')).body.items[0];
      expect((await send(`/edit ${expense.id} 12 USD cab @2026-11-03`, ann)).reply).toMatch(
        /^Updated: 12.00 USD for cab on 2026-11-03 \(#1; currency EUR → USD, category taxi → cab, description airport → \(none\), date 2026-11-02 → 2026-11-03\)\.$/,
      );
      expect((await rest.get('/expenses')).body).toMatchObject({ count: 1, total: { USD: '12.00' } });
    });

    it('says what is wrong and changes nothing: no number, unknown number, bad amount, a duplicate', async () => {
      const ann = person();
      await send('/add 1 a', ann);
      await send('/add 2 a', ann);
      expect((await send('/edit', ann)).reply).toMatch(/^Write it like this: \/edit 12/);
      expect((await send('/edit 1', ann)).reply).toMatch(/^Write it like this: \/edit 12/);
      expect((await send('/edit 9 5 a', ann)).reply).toBe('No expense #9 in this chat. /list shows the numbers.');
      expect((await send('/edit 1 five a', ann)).reply).toMatch(
        /^Not changed: "five" is not an amount\. Write it like this: \/edit 12/,
      );
      expect((await send('/edit 2 1 a', ann)).reply).toBe(
        'Not changed: that would make #2 the same as #1. If #1 is this one, /delete 2.',
      );
      expect((await send('/edit 2 2 a', ann)).reply).toMatch(/^Nothing to change: #2 is already 2.00 USD for a/);
      const rest = await restFor(ann);
      expect((await rest.get('/expenses')).body).toMatchObject({ count: 2, total: { USD: '3.00' } });
    });

    it("another chat's number names nothing here", async () => {
      const ann = person();
      const bob = person();
      await send('/add 5 a', ann);
      expect((await send('/edit 1 6 a', bob)).reply).toBe('No expense #1 in this chat. /list shows the numbers.');
      const rest = await restFor(ann);
      expect((await rest.get('/expenses')).body.total).toEqual({ USD: '5.00' });
    });
  });
});
