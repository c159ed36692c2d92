import { MikroORM } from '@mikro-orm/core';
import { outboxDelivered, startAppWithBot, TestApp } from './support/app';
import { FakeTelegram } from './support/fake-telegram';
import { ENGINES } from './support/engines';
import { textUpdate } from './support/updates';
import { people, restForChat, webhookPoster } from './support/webhook';

/**
 * There is no request context (orm.config.ts), so requests share MikroORM's
 * global EntityManager; an identity map shared by every request would serve
 * one request's rows to another and grow for ever. The global context is
 * therefore switched off: MikroORM throws as soon as anything uses it. This
 * drives every kind of work through both front doors with the guard armed.
 */
describe.each(ENGINES)('%s', (engine) => {
  const SECRET = 'global-context_secret';
  let fake: FakeTelegram;
  let t: TestApp;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine));
  });
  afterAll(() => stop());

  it('REST, bot, budgets, recurring rules and an import all work with the global EntityManager context switched off', async () => {
    // The guard is armed: the global context refuses to be used.
    expect(() => t.app.get(MikroORM).em.getUnitOfWork()).toThrow(/global EntityManager/);

    const deliver = webhookPoster(() => t.url, SECRET);
    const ann = people(61000, 'Shared')();
    const rest = await restForChat(deliver, fake, t.url, ann);
    await rest.request('PUT', '/budgets/food', { body: { amount: '10' } });
    const created = await rest.post('/expenses', { amount: '12.50', category: 'food', description: 'lunch' });
    expect(created.status).toBe(201);
    await rest.request('POST', '/expenses', {
      body: { amount: '3', category: 'taxi' },
      headers: { 'Idempotency-Key': 'global-context-1' },
    });
    await rest.request('PATCH', `/expenses/${created.body.id}`, { body: { amount: '13' } });
    expect((await rest.get('/expenses?category=food')).body.count).toBe(1);
    await rest.get('/expenses/summary');
    expect(
      (await rest.post('/recurring', { amount: '9.99', category: 'subscriptions', every: 'month', day: 1 })).status,
    ).toBe(201);
    await deliver(textUpdate('/add 4.20 coffee', { from: ann }));
    await deliver(textUpdate('/list', { from: ann }));
    await deliver(textUpdate('/undo', { from: ann }));
    const csv = 'date,amount,currency,category,description\n2026-11-01,5.00,USD,books,a novel\n';
    expect(
      (await rest.request('POST', '/expenses/import', { raw: csv, headers: { 'content-type': 'text/csv' } })).status,
    ).toBeLessThan(300);
    for (let tries = 0; (await rest.get('/expenses?category=books')).body.count !== 1; tries++) {
      if (tries > 100) throw new Error('the import did not finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await rest.request('DELETE', `/expenses/${created.body.id}`);
    await outboxDelivered(t);
    expect(fake.messagesTo(ann.id).some((text) => text.startsWith('Budget exceeded: food'))).toBe(true);
    expect(fake.messagesTo(ann.id).some((text) => text.startsWith('Removed'))).toBe(true);
    expect((await rest.get('/expenses/summary')).status).toBe(200);
  });
});
