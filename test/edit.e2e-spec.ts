import { Client } from './support/http';
import { startApp, TestApp } from './support/app';
import { ENGINES } from './support/engines';

/** PATCH /expenses/:id, ETag/If-Match, history and numbers (CONTRACT §7) over real HTTP, on both engines. */
describe.each(ENGINES)('%s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({}, engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function freshLedger(): Promise<Client> {
    return new Client(t.url, await t.token(`edit-${Math.random()}`));
  }

  const lunch = { amount: '12.50', category: 'food', description: 'Lunch', date: '2026-11-20' };

  async function create(c: Client, body: Record<string, unknown> = lunch): Promise<any> {
    const answer = await c.post('/expenses', body);
    expect(answer.status).toBe(201);
    return answer.body;
  }

  describe('PATCH', () => {
    it('changes only the fields given, answers 200 with updatedAt, and keeps id, number and createdAt', async () => {
      const c = await freshLedger();
      const original = await create(c);
      const answer = await c.patch(`/expenses/${original.id}`, { amount: '13.50', description: ' Dinner ' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        ...original,
        amount: '13.50',
        description: 'Dinner',
        updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(original.updatedAt).toBeUndefined();
      expect((await c.get(`/expenses/${original.id}`)).body).toEqual(answer.body);
    });

    it('lists, totals, the summary and the CSV export show the edit at once', async () => {
      const c = await freshLedger();
      const a = await create(c, { amount: '10.00', category: 'food', date: '2026-11-01' });
      await create(c, { amount: '5.25', category: 'food', date: '2026-11-02' });
      await c.patch(`/expenses/${a.id}`, { amount: '20.10', category: 'travel', date: '2026-10-31' });

      const list = await c.get('/expenses');
      expect(list.body.count).toBe(2);
      expect(list.body.total).toEqual({ USD: '25.35' });
      expect(list.body.items.map((e: any) => e.date)).toEqual(['2026-11-02', '2026-10-31']);
      expect((await c.get('/expenses?category=food')).body.total).toEqual({ USD: '5.25' });
      expect((await c.get('/expenses?category=travel')).body.total).toEqual({ USD: '20.10' });
      expect((await c.get('/expenses?from=2026-11-01')).body.total).toEqual({ USD: '5.25' });
      const summary = await c.get('/expenses/summary?from=2026-10-01&to=2026-11-30');
      expect(summary.body.categories).toEqual([
        { category: 'food', count: 1, total: { USD: '5.25' } },
        { category: 'travel', count: 1, total: { USD: '20.10' } },
      ]);
      const csv = await c.get('/expenses/export.csv');
      // Date, amount, category of each row: a substring check once matched "10.00" inside a createdAt (…:10.007Z).
      const rows = csv.text
        .trim()
        .split('\n')
        .slice(1)
        .map((line: string) => line.split(',').slice(1, 5).join(','));
      expect(rows.sort()).toEqual(['2026-10-31,20.10,USD,travel', '2026-11-02,5.25,USD,food']);
    });

    it('moves an amount to another currency only when its digits fit, and totals follow the currency', async () => {
      const c = await freshLedger();
      const e = await create(c, { amount: '12.50', category: 'food', date: '2026-11-20' });
      const jpy = await c.patch(`/expenses/${e.id}`, { currency: 'JPY' });
      expect(jpy.status).toBe(400);
      expect(jpy.body.message).toMatch(/^amount .*JPY/);
      const eur = await c.patch(`/expenses/${e.id}`, { currency: 'eur' });
      expect(eur.status).toBe(200);
      expect(eur.body).toMatchObject({ amount: '12.50', currency: 'EUR' });
      expect((await c.get('/expenses')).body.total).toEqual({ EUR: '12.50' });
    });

    it('the dedup key follows the new content: the old content is free, the new one is taken', async () => {
      const c = await freshLedger();
      const e = await create(c);
      await c.patch(`/expenses/${e.id}`, { amount: '99.00' });
      const same = await c.post('/expenses', { ...lunch, amount: '99.00' });
      expect(same.status).toBe(200);
      expect(same.body.id).toBe(e.id);
      const old = await c.post('/expenses', lunch);
      expect(old.status).toBe(201);
      expect((await c.get('/expenses')).body.count).toBe(2);
    });

    it('into another live expense: 409 with existingId and nothing changed; allowDuplicate keeps both', async () => {
      const c = await freshLedger();
      const a = await create(c);
      const b = await create(c, { ...lunch, amount: '1.00' });
      const clash = await c.patch(`/expenses/${b.id}`, { amount: '12.5' });
      expect(clash.status).toBe(409);
      expect(clash.body).toMatchObject({ statusCode: 409, error: 'Conflict', existingId: a.id });
      expect(clash.body.message).toMatch(/allowDuplicate/);
      expect((await c.get(`/expenses/${b.id}`)).body).toEqual(b);
      expect((await c.get(`/expenses/${b.id}/history`)).body.items).toEqual([]);

      const kept = await c.patch(`/expenses/${b.id}`, { amount: '12.5', allowDuplicate: true });
      expect(kept.status).toBe(200);
      expect(kept.body.amount).toBe('12.50');
      const list = await c.get('/expenses');
      expect(list.body.count).toBe(2);
      expect(list.body.total).toEqual({ USD: '25.00' });
      // Both copies hold a key: a third identical POST is a duplicate of one of them.
      expect((await c.post('/expenses', lunch)).status).toBe(200);
    });

    it('a change to what it already is writes nothing: no updatedAt, no history, same ETag', async () => {
      const c = await freshLedger();
      const e = await create(c);
      const before = await c.get(`/expenses/${e.id}`);
      const answer = await c.patch(`/expenses/${e.id}`, { amount: '12.5', category: 'FOOD' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(e);
      expect(answer.headers.get('etag')).toBe(before.headers.get('etag'));
      expect((await c.get(`/expenses/${e.id}/history`)).body.items).toEqual([]);
    });

    it.each([
      [{ amount: '1.234' }, /^amount .*2 decimal/],
      [{ amount: '-1' }, /^amount/],
      [{ amount: null }, /^amount/],
      [{ amount: true }, /^amount/],
      [{ date: '2026-02-30' }, /^date/],
      [{ date: null }, /^date/],
      [{ category: '   ' }, /^category/],
      [{ category: 'x'.repeat(65) }, /^category/],
      [{ description: 'x'.repeat(501) }, /^description/],
      [{ currency: 'XXQ' }, /^currency/],
      [{ colour: 'red' }, /colour/],
      [{ id: 'abc' }, /id/],
      [{}, /at least one of amount/],
      [{ allowDuplicate: true }, /at least one of amount/],
      [{ amount: '1', allowDuplicate: 'yes' }, /^allowDuplicate/],
    ])('bad body %j: 400 naming the field, nothing changed', async (body, message) => {
      const c = await freshLedger();
      const e = await create(c);
      const answer = await c.patch(`/expenses/${e.id}`, body);
      expect(answer.status).toBe(400);
      expect(answer.body.statusCode).toBe(400);
      expect(answer.body.message).toMatch(message);
      expect((await c.get(`/expenses/${e.id}`)).body).toEqual(e);
    });

    it("malformed JSON is 400; an unknown id, a removed one and another ledger's are 404", async () => {
      const c = await freshLedger();
      const e = await create(c);
      const raw = await c.request('PATCH', `/expenses/${e.id}`, {
        raw: '{"amount": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(raw.status).toBe(400);
      expect((await c.patch('/expenses/nosuchexpense000', { amount: '1' })).status).toBe(404);
      const other = await freshLedger();
      expect((await other.patch(`/expenses/${e.id}`, { amount: '1' })).status).toBe(404);
      expect((await other.get(`/expenses/${e.id}/history`)).status).toBe(404);
      expect((await c.delete(`/expenses/${e.id}`)).status).toBe(204);
      expect((await c.patch(`/expenses/${e.id}`, { amount: '1' })).status).toBe(404);
    });
  });

  describe('ETag and If-Match', () => {
    it('GET sends an ETag; a PATCH with it succeeds and sends the next one; the stale one is 412 and changes nothing', async () => {
      const c = await freshLedger();
      const e = await create(c);
      const got = await c.get(`/expenses/${e.id}`);
      const etag = got.headers.get('etag')!;
      expect(etag).toMatch(/^"[^"]+"$/);

      const first = await c.patch(`/expenses/${e.id}`, { amount: '13.00' }, { 'If-Match': etag });
      expect(first.status).toBe(200);
      const next = first.headers.get('etag')!;
      expect(next).not.toBe(etag);
      expect((await c.get(`/expenses/${e.id}`)).headers.get('etag')).toBe(next);

      const stale = await c.patch(`/expenses/${e.id}`, { amount: '14.00' }, { 'If-Match': etag });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ statusCode: 412, error: 'Precondition Failed' });
      expect(stale.body.message).toMatch(/If-Match/);
      expect((await c.get(`/expenses/${e.id}`)).body.amount).toBe('13.00');

      expect((await c.patch(`/expenses/${e.id}`, { amount: '15.00' }, { 'If-Match': '*' })).status).toBe(200);
      // Without If-Match the last write wins.
      expect((await c.patch(`/expenses/${e.id}`, { amount: '16.00' })).status).toBe(200);
    });

    it('two clients editing from the same ETag at once: exactly one wins, the other gets 412', async () => {
      const c = await freshLedger();
      const e = await create(c);
      const etag = (await c.get(`/expenses/${e.id}`)).headers.get('etag')!;
      const answers = await Promise.all(
        ['20.00', '30.00', '40.00', '50.00'].map((amount) =>
          c.patch(`/expenses/${e.id}`, { amount }, { 'If-Match': etag }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([200, 412, 412, 412]);
      const winner = answers.find((a) => a.status === 200)!;
      expect((await c.get(`/expenses/${e.id}`)).body.amount).toBe(winner.body.amount);
      expect((await c.get(`/expenses/${e.id}/history`)).body.items).toHaveLength(1);
    });
  });

  describe('Idempotency-Key on PATCH', () => {
    it('replays the first answer, 422 for another body, and edits once', async () => {
      const c = await freshLedger();
      const e = await create(c);
      const first = await c.patch(`/expenses/${e.id}`, { amount: '13.00' }, { 'Idempotency-Key': 'fix-1' });
      expect(first.status).toBe(200);
      // Someone else edits in between; the replay must not undo it.
      await c.patch(`/expenses/${e.id}`, { description: 'changed later' });
      const replay = await c.patch(`/expenses/${e.id}`, { amount: '13.00' }, { 'Idempotency-Key': 'fix-1' });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      const other = await c.patch(`/expenses/${e.id}`, { amount: '14.00' }, { 'Idempotency-Key': 'fix-1' });
      expect(other.status).toBe(422);
      expect((await c.get(`/expenses/${e.id}/history`)).body.items).toHaveLength(2);
    });

    it('concurrent PATCHes with one key: one edit, every other answer a 409 or the replay', async () => {
      const c = await freshLedger();
      const e = await create(c);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          c.patch(`/expenses/${e.id}`, { amount: '77.00' }, { 'Idempotency-Key': 'same-edit' }),
        ),
      );
      for (const answer of answers) expect([200, 409]).toContain(answer.status);
      const ok = answers.filter((a) => a.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      for (const answer of ok) expect(answer.body).toEqual(ok[0].body);
      const history = (await c.get(`/expenses/${e.id}/history`)).body.items;
      expect(history).toHaveLength(1);
      expect(history[0].changes).toEqual({ amount: { from: '12.50', to: '77.00' } });
    });
  });

  describe('concurrency', () => {
    it('concurrent PATCHes without If-Match: each applies whole, history chains, totals match the final amount', async () => {
      const c = await freshLedger();
      const e = await create(c, { amount: '1.00', category: 'food', date: '2026-11-20' });
      const amounts = ['2.00', '3.00', '4.00', '5.00', '6.00', '7.00', '8.00', '9.00'];
      const answers = await Promise.all(amounts.map((amount) => c.patch(`/expenses/${e.id}`, { amount })));
      expect(answers.map((a) => a.status)).toEqual(amounts.map(() => 200));
      const final = (await c.get(`/expenses/${e.id}`)).body;
      const history = (await c.get(`/expenses/${e.id}/history`)).body.items;
      expect(history).toHaveLength(amounts.length);
      let amount = '1.00';
      for (const entry of history) {
        expect(entry.changes.amount.from).toBe(amount);
        amount = entry.changes.amount.to;
      }
      expect(amount).toBe(final.amount);
      const list = await c.get('/expenses');
      expect(list.body).toMatchObject({ count: 1, total: { USD: final.amount } });
    });

    it('PATCH racing DELETE: either order is whole, totals end empty, never a 5xx', async () => {
      const c = await freshLedger();
      for (let i = 0; i < 10; i++) {
        const e = await create(c, { amount: `${i + 1}.00`, category: 'race', date: '2026-11-20' });
        const [patch, del] = await Promise.all([
          c.patch(`/expenses/${e.id}`, { amount: '500.00' }),
          c.delete(`/expenses/${e.id}`),
        ]);
        expect(del.status).toBe(204);
        expect([200, 404]).toContain(patch.status);
      }
      const list = await c.get('/expenses');
      expect(list.body).toMatchObject({ count: 0, total: {} });
      expect((await c.get('/expenses/summary')).body.count).toBe(0);
    });

    it('two expenses edited into the same content at once: one 200, one 409', async () => {
      const c = await freshLedger();
      const a = await create(c, { ...lunch, amount: '1.00' });
      const b = await create(c, { ...lunch, amount: '2.00' });
      const answers = await Promise.all([a, b].map((e) => c.patch(`/expenses/${e.id}`, { amount: '3.00' })));
      expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
      const list = await c.get('/expenses');
      expect(list.body.total).toEqual({ USD: answers[0].status === 200 ? '5.00' : '4.00' });
    });
  });

  describe('history', () => {
    it('every edit oldest first with source, from and to per field; kept after the expense is removed', async () => {
      const c = await freshLedger();
      const e = await create(c);
      await c.patch(`/expenses/${e.id}`, { amount: '13.50' });
      await c.patch(`/expenses/${e.id}`, { category: 'Dining', date: '2026-11-21' }, { 'X-Tally-Source': 'web' });
      const expected = [
        {
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          source: 'api',
          changes: { amount: { from: '12.50', to: '13.50' } },
        },
        {
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          source: 'web',
          changes: { category: { from: 'food', to: 'dining' }, date: { from: '2026-11-20', to: '2026-11-21' } },
        },
      ];
      const history = await c.get(`/expenses/${e.id}/history`);
      expect(history.status).toBe(200);
      expect(history.body).toEqual({ items: expected });
      expect(history.body.items[0].at <= history.body.items[1].at).toBe(true);
      expect((await c.get(`/expenses/${e.id}`)).body.updatedAt).toBe(history.body.items[1].at);

      await c.delete(`/expenses/${e.id}`);
      expect((await c.get(`/expenses/${e.id}`)).status).toBe(404);
      expect((await c.get(`/expenses/${e.id}/history`)).body).toEqual({ items: expected });
    });
  });

  describe('numbers', () => {
    it('count up per ledger from 1; a duplicate takes none; each ledger has its own', async () => {
      const c = await freshLedger();
      const other = await freshLedger();
      const first = await create(c);
      expect((await c.post('/expenses', lunch)).body.number).toBe(1);
      const second = await create(c, { ...lunch, amount: '2.00' });
      const third = await create(c, { ...lunch, allowDuplicate: true });
      expect([first.number, second.number, third.number]).toEqual([1, 2, 3]);
      expect((await create(other)).number).toBe(1);
      await c.delete(`/expenses/${third.id}`);
      expect((await create(c, { ...lunch, amount: '4.00' })).number).toBe(4);
      const list = await c.get('/expenses?sort=date_asc');
      expect(list.body.items.map((e: any) => e.number)).toEqual([1, 2, 4]);
    });

    it('concurrent creates in one ledger take distinct numbers with no gaps', async () => {
      const c = await freshLedger();
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => c.post('/expenses', { ...lunch, amount: `${(i % 20) + 1}.00` })),
      );
      const created = answers.filter((a) => a.status === 201).map((a) => a.body.number);
      expect(created).toHaveLength(20);
      expect(created.sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });
  });
});
