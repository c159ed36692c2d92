import { FakeClock, outboxDelivered, startApp, startAppWithBot, TestApp } from './support/app';
import { FakeTelegram, BOT_TOKEN } from './support/fake-telegram';
import { Client } from './support/http';
import { ENGINES } from './support/engines';
import { textUpdate } from './support/updates';
import { people, restForChat, webhookPoster } from './support/webhook';
import { RecurringService } from '../src/recurring/recurring.service';
import { WEBHOOK_URL } from './support/app';
import { decodePng } from './support/png';

/** Recurring expenses and charts (CONTRACT §8) on both engines; due dates move with a fake clock, never by waiting. */
describe.each(ENGINES)('%s', (engine) => {
  const SECRET = 'recurring_webhook-secret';
  const clock = new FakeClock(new Date('2026-11-27T12:00:00Z'));
  let fake: FakeTelegram;
  let t: TestApp;

  beforeAll(async () => {
    ({ t, fake } = await startAppWithBot(SECRET, engine, clock));
  });
  // The restart test replaces t: close whichever app is current (it drops the shared database too).
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  beforeEach(() => clock.set('2026-11-27T12:00:00Z'));

  const person = people(61000, 'Payer');
  const deliver = webhookPoster(() => t.url, SECRET);
  const postingsTo = (chatId: number) =>
    fake.messagesTo(chatId).filter((text) => text.startsWith('Recurring expense recorded'));
  const settled = (app = t) => outboxDelivered(app);

  const restFor = (from: { id: number; first_name: string }) => restForChat(deliver, fake, t.url, from);

  it("a past start posts each due date once (day 31 → a short month's last day), tells the chat, and then waits for the next", async () => {
    const ann = person();
    const rest = await restFor(ann);
    const created = await rest.post('/recurring', {
      amount: '9.99',
      category: 'Subscriptions',
      description: 'netflix',
      every: 'month',
      day: 31,
      start: '2026-08-01',
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        amount: '9.99',
        currency: 'USD',
        category: 'subscriptions',
        every: 'month',
        day: 31,
        start: '2026-08-01',
        next: '2026-11-30',
      },
    });
    const list = await rest.get('/expenses?category=subscriptions&sort=date_asc');
    expect(list.body.items.map((e: any) => [e.date, e.amount, e.source, e.description])).toEqual([
      ['2026-08-31', '9.99', 'recurring', 'netflix'],
      ['2026-09-30', '9.99', 'recurring', 'netflix'],
      ['2026-10-31', '9.99', 'recurring', 'netflix'],
    ]);
    await settled();
    expect(postingsTo(ann.id)).toHaveLength(3);
    expect(postingsTo(ann.id)[0]).toMatch(
      /^Recurring expense recorded: 9\.99 USD for subscriptions \(netflix\) on 2026-08-31 as #\d+\./,
    );

    // Nothing is due before the 30th; checks in between post nothing.
    const recurring = t.app.get(RecurringService);
    expect(await recurring.postDue()).toBe(0);
    clock.set('2026-11-30T00:00:30Z');
    // Many wake-ups at once: the date is posted once.
    await Promise.all([
      recurring.postDue(),
      recurring.postDue(),
      rest.post('/recurring', { amount: '1', category: 'other', every: 'day', start: '2026-11-30' }),
    ]);
    expect(await recurring.postDue()).toBe(0);
    expect((await rest.get('/expenses?category=subscriptions')).body.count).toBe(4);
    expect((await rest.get('/recurring')).body.items[0]).toMatchObject({ id: created.body.id, next: '2026-12-31' });
    await settled();
    expect(postingsTo(ann.id)).toHaveLength(5);

    // An identical expense added by hand on a due date is not taken for the posting, nor blocks it.
    clock.set('2026-12-31T09:00:00Z');
    await rest.post('/expenses', {
      amount: '9.99',
      category: 'subscriptions',
      description: 'netflix',
      date: '2026-12-31',
    });
    await recurring.postDue();
    expect((await rest.get('/expenses?category=subscriptions&from=2026-12-31')).body.count).toBe(2);
  });

  it('weekly and daily rules; a stopped rule posts nothing more; another ledger cannot see or stop it', async () => {
    const bob = person();
    const rest = await restFor(bob);
    const weekly = await rest.post('/recurring', {
      amount: '20',
      category: 'cleaning',
      every: 'week',
      day: 5,
      start: '2026-11-01',
    });
    expect(weekly.body.next).toBe('2026-12-04');
    expect((await rest.get('/expenses?category=cleaning')).body.items.map((e: any) => e.date)).toEqual([
      '2026-11-27',
      '2026-11-20',
      '2026-11-13',
      '2026-11-06',
    ]);
    const daily = await rest.post('/recurring', {
      amount: '2.5',
      category: 'coffee',
      every: 'day',
      start: '2026-11-28',
    });
    expect(daily.body).toMatchObject({ day: null, next: '2026-11-28' });

    const other = new Client(t.url, await t.token(`recurring-other-${engine}`));
    expect((await other.get('/recurring')).body.items).toEqual([]);
    expect((await other.request('DELETE', `/recurring/${daily.body.id}`)).status).toBe(404);

    expect((await rest.request('DELETE', `/recurring/${daily.body.id}`)).status).toBe(204);
    expect((await rest.request('DELETE', `/recurring/${daily.body.id}`)).status).toBe(404);
    clock.set('2026-12-05T12:00:00Z');
    await t.app.get(RecurringService).postDue();
    expect((await rest.get('/expenses?category=coffee')).body.count).toBe(0);
    expect((await rest.get('/expenses?category=cleaning')).body.count).toBe(5);
    expect((await rest.get('/recurring')).body.items.map((rule: any) => rule.id)).toEqual([weekly.body.id]);
  });

  it('refuses bad rules with a 400 naming the field, and records nothing', async () => {
    const rest = new Client(t.url, await t.token(`recurring-bad-${engine}`));
    const base = { amount: '5', category: 'x', every: 'month' };
    const cases: Array<[object, RegExp]> = [
      [{ ...base, every: 'year' }, /^every must be one of day, week, month/],
      [{ ...base, day: 32 }, /^day must be a day of the month from 1 to 31/],
      [{ ...base, every: 'week', day: 0 }, /^day must be an ISO weekday/],
      [{ ...base, every: 'day', day: 3 }, /^day is not allowed when every is day/],
      [{ ...base, day: 1.5 }, /^day must be a whole number/],
      [{ ...base, start: '2026-02-30' }, /^start must be a real calendar date/],
      [{ ...base, start: '2020-01-01' }, /^start must be at most 366 days ago/],
      [{ ...base, amount: '1.234' }, /^amount must have at most 2 decimal places for USD/],
      [{ ...base, currency: 'XX' }, /^currency must be an ISO 4217 code/],
      [{ ...base, when: 'now' }, /^when is not a known field/],
    ];
    for (const [body, message] of cases) {
      const answer = await rest.post('/recurring', body);
      expect([answer.status, answer.body.message]).toEqual([400, expect.stringMatching(message)]);
    }
    expect((await rest.get('/recurring')).body.items).toEqual([]);
    expect((await rest.get('/expenses')).body.count).toBe(0);
    expect((await rest.request('DELETE', '/recurring/abc')).status).toBe(404);
  });

  it('the bot adds, lists and stops rules; a redelivered /recurring add sets up one rule', async () => {
    const cy = person();
    const add = textUpdate('/recurring add 9.99 subscriptions netflix monthly 15', { from: cy });
    expect(await Promise.all([deliver(add), deliver(add)])).toEqual([200, 200]);
    await deliver(textUpdate('/recurring add 3 EUR coffee weekly fri @2026-11-20', { from: cy }));
    await deliver(textUpdate('/recurring add 3 coffee yearly', { from: cy }));
    await deliver(textUpdate('/recurring', { from: cy }));
    // The bot's answers, without the postings that go out (after their COMMIT) in between.
    const replies = fake.messagesTo(cy.id).filter((text) => !text.startsWith('Recurring expense recorded'));
    expect(replies[0]).toMatch(
      /^Recurring expense #(\d+): 9\.99 USD for subscriptions \(netflix\), monthly on day 15; next on 2026-12-15\. \/recurring stop \1 ends it\.$/,
    );
    const id = /#(\d+)/.exec(replies[0])![1];
    expect(replies[1]).toMatch(/^Recurring expense #\d+: 3\.00 EUR for coffee, weekly on fri; next on 2026-12-04\./);
    expect(replies[2]).toMatch(/^Say how often: daily, weekly or monthly\./);
    expect(replies[3].split('\n')).toEqual([
      'Recurring expenses:',
      `#${id} 9.99 USD for subscriptions (netflix), monthly on day 15; next 2026-12-15`,
      expect.stringMatching(/^#\d+ 3\.00 EUR for coffee, weekly on fri; next 2026-12-04$/),
    ]);
    await settled();
    expect(postingsTo(cy.id)).toEqual([
      expect.stringMatching(/^Recurring expense recorded: 3\.00 EUR for coffee on 2026-11-20/),
      expect.stringMatching(/on 2026-11-27/),
    ]);
    await deliver(textUpdate(`/recurring stop ${id}`, { from: cy }));
    await deliver(textUpdate(`/recurring stop ${id}`, { from: cy }));
    expect(fake.messagesTo(cy.id).slice(-2)).toEqual([
      `Stopped recurring expense #${id} (9.99 USD for subscriptions (netflix), monthly on day 15). What it recorded stays.`,
      `recurring expense ${id} not found. /recurring lists them.`,
    ]);
  });

  it('a message the Bot API refused is sent later, once; the posting itself is never lost', async () => {
    const dee = person();
    const rest = await restFor(dee);
    fake.failAlways('sendMessage', { status: 400, description: 'Bad Request: chat not found' });
    try {
      await rest.post('/recurring', { amount: '7', category: 'gym', every: 'day', start: '2026-11-26' });
      expect((await rest.get('/expenses?category=gym')).body.count).toBe(2);
    } finally {
      fake.heal('sendMessage');
    }
    await fake.waitFor(() => postingsTo(dee.id).length >= 2 || undefined, 30_000);
    await settled();
    expect(postingsTo(dee.id)).toHaveLength(2);
  });

  it('the chart: GET /expenses/chart.png and /chart send a real PNG with the filters applied', async () => {
    const eve = person();
    const rest = await restFor(eve);
    for (const [amount, category, currency, date] of [
      ['12.50', 'food', 'USD', '2026-11-02'],
      ['40', 'travel', 'EUR', '2026-11-10'],
      ['8', 'food', 'USD', '2026-10-05'],
    ]) {
      await rest.post('/expenses', { amount, category, currency, date });
    }
    const response = await fetch(`${t.url}/expenses/chart.png?from=2026-11-01&to=2026-11-30`, {
      headers: { authorization: `Bearer ${rest.token}` },
    });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'image/png']);
    const png = await decodePng(Buffer.from(await response.arrayBuffer()));
    expect(png).toMatchObject({ width: 1000, height: 1000 });
    expect(png.inked).toBeGreaterThan(20_000);
    expect(png.colours).toBeGreaterThan(10);
    expect((await rest.get('/expenses/chart.png?from=2026-13-01')).status).toBe(400);
    expect((await new Client(t.url).get('/expenses/chart.png')).status).toBe(401);

    await deliver(textUpdate('/chart month', { from: eve }));
    await deliver(textUpdate('/chart food sometime', { from: eve }));
    const photos = fake.callsOf('sendPhoto').filter((call) => Number(call.chat_id) === eve.id);
    expect(photos).toHaveLength(1);
    expect(photos[0].caption).toBe('Spending this month');
    // grammY sends the file as a multipart part that the photo field points at (attach://NAME).
    const sent = await decodePng(photos[0].files[String(photos[0].photo).replace('attach://', '')].bytes);
    expect(sent).toMatchObject({ width: 1000, height: 1000 });
    expect(sent.inked).toBeGreaterThan(20_000);
    expect(fake.messagesTo(eve.id).at(-1)).toMatch(/^I could not read "food sometime"\. Write it like this: \/chart/);
  });

  it('two instances on one database waking up together post each date once', async () => {
    const gil = person();
    const rest = await restFor(gil);
    const rules = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        rest.post('/recurring', { amount: '1', category: `race-${name}`, every: 'day', start: '2026-12-01' }),
      ),
    );
    expect(rules.map((rule) => rule.status)).toEqual([201, 201, 201]);
    const second = await startApp(
      { telegram: { token: BOT_TOKEN, apiRoot: fake.url, webhookUrl: WEBHOOK_URL, webhookSecret: SECRET } },
      engine,
      { db: t.db, dir: t.dir },
      clock,
    );
    try {
      clock.set('2026-12-10T12:00:00Z');
      // Both wake up together; rules of earlier tests' ledgers fall due too, so counts are checked per ledger below.
      await Promise.all([t.app.get(RecurringService).postDue(), second.app.get(RecurringService).postDue()]);
      for (const name of ['a', 'b', 'c']) {
        const dates = (await rest.get(`/expenses?category=race-${name}&sort=date_asc`)).body.items.map(
          (e: any) => e.date,
        );
        expect(dates).toEqual(Array.from({ length: 10 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`));
      }
      await Promise.all([settled(), settled(second)]);
      expect(postingsTo(gil.id)).toHaveLength(30);
    } finally {
      await second.app.close();
    }
  });

  it('missed dates are caught up after the process was stopped, each once', async () => {
    const fox = person();
    const rest = await restFor(fox);
    await rest.post('/recurring', { amount: '1', category: 'paper', every: 'day' });
    expect((await rest.get('/expenses?category=paper')).body.count).toBe(1);
    // Stop this instance; ten days later start a new one on the same database.
    const existing = { db: t.db, dir: t.dir };
    await t.app.close();
    clock.set('2026-12-07T12:00:00Z');
    const config = t.config;
    t = await startApp(
      {
        telegram: { token: BOT_TOKEN, apiRoot: fake.url, webhookUrl: WEBHOOK_URL, webhookSecret: SECRET },
        database: config.database,
      },
      engine,
      existing,
      clock,
    );
    const again = new Client(t.url, rest.token);
    await t.app.get(RecurringService).postDue(); // the start-up check may still be running: this waits for it
    const dates = (await again.get('/expenses?category=paper&sort=date_asc&limit=100')).body.items.map(
      (e: any) => e.date,
    );
    expect(dates).toEqual([
      '2026-11-27',
      '2026-11-28',
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
      '2026-12-07',
    ]);
    await settled();
    expect(postingsTo(fox.id)).toHaveLength(11);
  });
});
