import { FakeClock, outboxDelivered, startAppWithBot, TestApp } from './support/app';
import { FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { ENGINES } from './support/engines';
import { Person, textUpdate } from './support/updates';
import { people, restForChat, webhookPoster } from './support/webhook';

/** Budgets and their alerts (CONTRACT §8): REST, bot, and exactly-once alerts under retries and races, on both engines. */
describe.each(ENGINES)('%s', (engine) => {
  const SECRET = 'budgets_webhook-secret';
  const clock = new FakeClock(new Date('2026-11-20T12:00:00Z'));
  let fake: FakeTelegram;
  let t: TestApp;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    // The outbox's periodic check is an hour away: every alert a test sees was sent by settled() or by the COMMIT itself.
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine, clock, { outboxCheckMs: 3_600_000 }));
  });
  afterAll(() => stop());
  beforeEach(() => clock.set('2026-11-20T12:00:00Z'));

  const person = people(52000, 'Budgeter');
  const deliver = webhookPoster(() => t.url, SECRET);
  const alertsTo = (chatId: number) => fake.messagesTo(chatId).filter((text) => /^Budget (alert|exceeded)/.test(text));
  const settled = () => outboxDelivered(t);

  /** A message sent at the test's clock time: its expenses fall in the clock's month, whatever today is. */
  const say = (text: string, options: { from: Person }) => textUpdate(text, { ...options, at: clock.now() });
  const restFor = (from: { id: number; first_name: string }) => restForChat(deliver, fake, t.url, from);

  it("PUT creates (201) and changes (200) a budget; GET shows this month's spent, remaining and percent; DELETE removes it", async () => {
    const rest = new Client(t.url, await t.token(`budgets-rest-${engine}`));
    expect(await rest.request('PUT', '/budgets/Food', { body: { amount: '300.00' } })).toMatchObject({
      status: 201,
      body: { category: 'food', amount: '300.00', currency: 'USD', spent: '0.00', remaining: '300.00', percent: 0 },
    });
    expect((await rest.request('PUT', '/budgets/food', { body: { amount: 250 } })).status).toBe(200);
    expect((await rest.request('PUT', '/budgets/*', { body: { amount: '1000', currency: 'eur' } })).status).toBe(201);
    await rest.post('/expenses', { amount: '100.10', category: 'food', date: '2026-11-03' });
    await rest.post('/expenses', { amount: '20', category: 'food', date: '2026-10-31' }); // last month: not counted
    await rest.post('/expenses', { amount: '5', category: 'food', currency: 'EUR', date: '2026-11-04' }); // other currency
    await rest.post('/expenses', { amount: '50', category: 'travel', currency: 'EUR', date: '2026-11-05' });
    expect((await rest.get('/budgets')).body).toEqual({
      month: '2026-11',
      items: [
        { category: '*', amount: '1000.00', currency: 'EUR', spent: '55.00', remaining: '945.00', percent: 5 },
        { category: 'food', amount: '250.00', currency: 'USD', spent: '100.10', remaining: '149.90', percent: 40 },
      ],
    });
    expect((await rest.request('DELETE', '/budgets/food')).status).toBe(204);
    expect((await rest.request('DELETE', '/budgets/food')).status).toBe(404);
    expect((await rest.get('/budgets')).body.items.map((item: any) => item.category)).toEqual(['*']);
  });

  it('refuses bad budgets with a 400 naming the field, and needs a token', async () => {
    const rest = new Client(t.url, await t.token(`budgets-bad-${engine}`));
    const cases: Array<[string, unknown, RegExp]> = [
      ['/budgets/food', { amount: '12.345' }, /^amount must have at most 2 decimal places for USD/],
      ['/budgets/food', { amount: '-5' }, /^amount must be greater than 0/],
      ['/budgets/food', { amount: 'lots' }, /^amount must be a plain decimal/],
      ['/budgets/food', {}, /amount is required/],
      ['/budgets/food', { amount: '10', currency: 'EURO' }, /^currency must be an ISO 4217 code/],
      ['/budgets/food', { amount: '10', limit: 3 }, /^limit is not a known field/],
      [`/budgets/${'x'.repeat(65)}`, { amount: '10' }, /^category must be 1-64 characters/],
    ];
    for (const [path, body, message] of cases) {
      const answer = await rest.request('PUT', path, { body });
      expect([answer.status, answer.body.message]).toEqual([400, expect.stringMatching(message)]);
    }
    expect((await rest.get('/budgets')).body.items).toEqual([]);
    expect((await new Client(t.url).get('/budgets')).status).toBe(401);
    expect((await rest.request('DELETE', '/budgets/food?currency=XYZ1')).status).toBe(400);
  });

  it('alerts the chat once at 80 % and once at 100 %, for bot and REST expenses, whatever is redelivered', async () => {
    const ann = person();
    expect(await deliver(say('/budget food 100', { from: ann }))).toBe(200);
    expect(fake.messagesTo(ann.id).at(-1)).toMatch(/^Budget set: food, 100\.00 USD a month/);
    await deliver(say('/add 50 food groceries', { from: ann }));
    await settled();
    expect(alertsTo(ann.id)).toEqual([]);

    const crossing = say('/add 35 food dinner', { from: ann });
    expect(await Promise.all([deliver(crossing), deliver(crossing)])).toEqual([200, 200]);
    await deliver(crossing);
    await settled();
    expect(alertsTo(ann.id)).toEqual([
      'Budget alert: food is at 85% of its monthly budget (85.00 of 100.00 USD spent in 2026-11, 15.00 USD left).',
    ]);

    // Over REST with the chat's token: the chat hears about it too.
    const rest = await restFor(ann);
    expect((await rest.post('/expenses', { amount: '20', category: 'food', description: 'more' })).status).toBe(201);
    await rest.post('/expenses', { amount: '20', category: 'food', description: 'more' }); // a duplicate: nothing moves
    await rest.post('/expenses', { amount: '5', category: 'food', description: 'even more' });
    await settled();
    expect(alertsTo(ann.id)).toEqual([
      'Budget alert: food is at 85% of its monthly budget (85.00 of 100.00 USD spent in 2026-11, 15.00 USD left).',
      'Budget exceeded: food is at 105% of its monthly budget (105.00 of 100.00 USD spent in 2026-11).',
    ]);
    expect(fake.messagesTo(ann.id).filter((text) => text.startsWith('Recorded 35.00 USD'))).toHaveLength(1);

    await deliver(say('/budgets', { from: ann }));
    expect(fake.messagesTo(ann.id).at(-1)).toBe(
      'Budgets for 2026-11:\nfood ██████████ 110% · 110.00 of 100.00 USD, over by 10.00',
    );
  });

  it('alerts at exactly 80.00 and exactly 100.00 of 100.00, not a cent before', async () => {
    const eve = person();
    const rest = await restFor(eve);
    await rest.request('PUT', '/budgets/food', { body: { amount: '100.00' } });
    const steps: Array<[string, number]> = [
      ['79.99', 0],
      ['0.01', 1],
      ['19.99', 1],
      ['0.01', 2],
    ];
    for (const [amount, alerts] of steps) {
      expect(
        (await rest.post('/expenses', { amount, category: 'food', description: `step ${amount} ${alerts}` })).status,
      ).toBe(201);
      await settled();
      expect(alertsTo(eve.id)).toHaveLength(alerts);
    }
    expect(alertsTo(eve.id)).toEqual([
      'Budget alert: food is at 80% of its monthly budget (80.00 of 100.00 USD spent in 2026-11, 20.00 USD left).',
      'Budget exceeded: food is at 100% of its monthly budget (100.00 of 100.00 USD spent in 2026-11).',
    ]);
  });

  it('expenses crossing together alert once per threshold', async () => {
    const bob = person();
    const rest = await restFor(bob);
    await rest.request('PUT', '/budgets/*', { body: { amount: '100' } });
    // One at a time up to 80 %: exactly one alert.
    for (let i = 0; i < 8; i++)
      await rest.post('/expenses', { amount: '10', category: 'c0', description: `first ${i}` });
    await settled();
    expect(alertsTo(bob.id)).toEqual([
      'Budget alert: all spending is at 80% of its monthly budget (80.00 of 100.00 USD spent in 2026-11, 20.00 USD left).',
    ]);
    // Then 24 at once, committed in whatever batches they fall into: exactly one "exceeded".
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        rest.post('/expenses', { amount: '10', category: `c${i % 3}`, description: `n${i}` }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(24).fill(201));
    await settled();
    const alerts = alertsTo(bob.id);
    expect(alerts).toHaveLength(2);
    expect(alerts[1]).toMatch(/^Budget exceeded: all spending is at \d+% /);
    await rest.post('/expenses', { amount: '10', category: 'c0', description: 'after' });
    await settled();
    expect(alertsTo(bob.id)).toEqual(alerts);
  });

  it("an alert goes out as soon as the COMMIT that queued it, not at the outbox's next periodic check", async () => {
    const dee = person();
    const rest = await restFor(dee);
    await rest.request('PUT', '/budgets/food', { body: { amount: '10' } });
    expect((await rest.post('/expenses', { amount: '9', category: 'food', description: 'soon' })).status).toBe(201);
    // No settled(), and the periodic check is an hour away: only the COMMIT's event can send it.
    await fake.waitFor(() => alertsTo(dee.id).length > 0, 750);
    expect(alertsTo(dee.id)).toEqual([
      'Budget alert: food is at 90% of its monthly budget (9.00 of 10.00 USD spent in 2026-11, 1.00 USD left).',
    ]);
  });

  it("months turn in the ledger's time zone: a new month starts at zero and alerts again; a raised limit alerts again", async () => {
    const cy = person();
    await deliver(say('/timezone Pacific/Kiritimati', { from: cy })); // UTC+14
    const rest = await restFor(cy);
    clock.set('2026-11-30T08:00:00Z'); // 22:00 on the 30th in Kiritimati
    await rest.request('PUT', '/budgets/rent', { body: { amount: '1000' } });
    await rest.post('/expenses', { amount: '900', category: 'rent', date: '2026-11-30' });
    await settled();
    expect(alertsTo(cy.id)).toHaveLength(1);
    expect((await rest.get('/budgets')).body).toMatchObject({
      month: '2026-11',
      items: [{ spent: '900.00', percent: 90 }],
    });

    clock.set('2026-11-30T10:00:00Z'); // already 1 December there, still November in UTC
    expect((await rest.get('/budgets')).body).toMatchObject({
      month: '2026-12',
      items: [{ spent: '0.00', remaining: '1000.00', percent: 0 }],
    });
    await rest.post('/expenses', { amount: '50', category: 'rent', date: '2026-11-29' }); // counts for November, not now
    await settled();
    expect(alertsTo(cy.id)).toHaveLength(1);
    await rest.post('/expenses', { amount: '850', category: 'rent', date: '2026-12-01' });
    await settled();
    expect(alertsTo(cy.id).at(-1)).toMatch(/^Budget alert: rent is at 85% .* in 2026-12/);

    await rest.request('PUT', '/budgets/rent', { body: { amount: '1050' } });
    await rest.post('/expenses', { amount: '10', category: 'rent', date: '2026-12-01' });
    await settled();
    expect(alertsTo(cy.id)).toHaveLength(3);
    expect(alertsTo(cy.id).at(-1)).toMatch(/^Budget alert: rent is at 81% .*\(860\.00 of 1050\.00 USD/);
  });

  it('the bot explains what it could not read and removes budgets', async () => {
    const dee = person();
    for (const text of ['/budget', '/budget food', '/budget food lots', '/budget food 10 EURO', '/budget food 12.345'])
      await deliver(say(text, { from: dee }));
    const replies = fake.messagesTo(dee.id);
    expect(replies).toHaveLength(5);
    for (const reply of replies) expect(reply).toMatch(/Write it like this: \/budget food 300/);
    expect(replies[4]).toMatch(/^amount must have at most 2 decimal places for USD/);
    await deliver(say('/budget Travel 500 EUR', { from: dee }));
    await deliver(say('/budget travel off', { from: dee }));
    await deliver(say('/budget travel off', { from: dee }));
    await deliver(say('/budgets', { from: dee }));
    expect(fake.messagesTo(dee.id).slice(5)).toEqual([
      'Budget set: travel, 500.00 EUR a month. I will tell this chat at 80% and at 100%.\ntravel ░░░░░░░░░░ 0% · 0.00 of 500.00 EUR',
      'Budget for travel removed.',
      expect.stringMatching(/^no budget for travel/),
      expect.stringMatching(/^No budgets yet/),
    ]);
  });
});
