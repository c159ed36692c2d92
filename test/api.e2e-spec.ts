import { Client } from './support/http';
import { startApp, TestApp } from './support/app';
import { ENGINES } from './support/engines';

describe.each(ENGINES)('%s', (engine) => {
  let t: TestApp;
  let api: Client;

  beforeAll(async () => {
    t = await startApp({}, engine);
    api = new Client(t.url, await t.token('main'));
  });
  afterAll(async () => {
    await t.close();
  });

  /** Each test gets its own ledger so counts and totals are its own. */
  async function freshLedger(): Promise<Client> {
    return new Client(t.url, await t.token(`ledger-${Math.random()}`));
  }

  describe('auth', () => {
    it('401 without a token, with a malformed header and with an unknown token', async () => {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Basic abc' },
        { authorization: 'Bearer tally_' + 'x'.repeat(43) },
      ]) {
        const answer = await new Client(t.url).request('GET', '/expenses', { headers });
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
        expect(answer.body.message).toMatch(/Authorization/);
      }
    });

    it('health needs no token', async () => {
      const answer = await new Client(t.url).get('/health');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ status: 'ok' });
    });
  });

  describe('create', () => {
    it('201 for new, 200 with the same expense for a duplicate, allowDuplicate records another', async () => {
      const c = await freshLedger();
      const first = await c.post('/expenses', {
        amount: '12.50',
        category: ' Food ',
        description: 'Lunch',
        date: '2026-11-20',
      });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        id: expect.any(String),
        number: 1,
        amount: '12.50',
        currency: 'USD',
        category: 'food',
        description: 'Lunch',
        date: '2026-11-20',
        source: 'api',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      const again = await c.post('/expenses', {
        amount: 12.5,
        category: 'FOOD',
        description: '  lunch ',
        date: '2026-11-20',
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);

      const on_purpose = await c.post('/expenses', {
        amount: '12.50',
        category: 'food',
        description: 'Lunch',
        date: '2026-11-20',
        allowDuplicate: true,
      });
      expect(on_purpose.status).toBe(201);
      expect(on_purpose.body.id).not.toBe(first.body.id);
      const third = await c.post('/expenses', {
        amount: '12.50',
        category: 'food',
        description: 'Lunch',
        date: '2026-11-20',
        allowDuplicate: true,
      });
      expect(third.status).toBe(201);
      const list = await c.get('/expenses');
      expect(list.body.count).toBe(3);
      expect(list.body.total).toEqual({ USD: '37.50' });
    });

    it('defaults the date to today in the ledger zone and the currency to the ledger currency', async () => {
      const c = await freshLedger();
      const answer = await c.post('/expenses', { amount: '3', category: 'x' });
      expect(answer.status).toBe(201);
      expect(answer.body.date).toBe(new Date().toISOString().slice(0, 10));
      expect(answer.body.currency).toBe('USD');
    });

    it('currency null means the ledger currency; a currency that is not a string is a 400', async () => {
      const c = await freshLedger();
      expect((await c.post('/expenses', { amount: 1, category: 'a', currency: null })).body).toMatchObject({
        currency: 'USD',
        amount: '1.00',
      });
      for (const currency of [12, true, ['EUR'], { code: 'EUR' }]) {
        const answer = await c.post('/expenses', { amount: 2, category: 'a', currency });
        expect([answer.status, answer.body.message]).toEqual([400, expect.stringMatching(/currency/)]);
      }
    });

    it('formats amounts with the currency minor digits', async () => {
      const c = await freshLedger();
      expect((await c.post('/expenses', { amount: '1200', currency: 'JPY', category: 'x' })).body.amount).toBe('1200');
      expect((await c.post('/expenses', { amount: '1.25', currency: 'BHD', category: 'x' })).body.amount).toBe('1.250');
      expect((await c.post('/expenses', { amount: 7, currency: 'eur', category: 'x' })).body).toMatchObject({
        amount: '7.00',
        currency: 'EUR',
      });
      const list = await c.get('/expenses');
      expect(list.body.total).toEqual({ BHD: '1.250', EUR: '7.00', JPY: '1200' });
    });

    it('thirty identical POSTs at once: one 201, twenty-nine 200 with the same id, no 500', async () => {
      const c = await freshLedger();
      const body = { amount: '9.99', category: 'race', description: 'same', date: '2026-11-01' };
      const answers = await Promise.all(Array.from({ length: 30 }, () => c.post('/expenses', body)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(29);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect((await c.get('/expenses')).body.count).toBe(1);
    });

    it('deleting frees the content key', async () => {
      const c = await freshLedger();
      const body = { amount: '5', category: 'coffee', date: '2026-11-02' };
      const first = await c.post('/expenses', body);
      expect((await c.delete(`/expenses/${first.body.id}`)).status).toBe(204);
      const second = await c.post('/expenses', body);
      expect(second.status).toBe(201);
      expect(second.body.id).not.toBe(first.body.id);
    });
  });

  describe('validation: a clear 4xx naming the field, nothing written', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['too many decimals', { amount: '12.345', category: 'x' }, /amount must have at most 2 decimal places for USD/],
      ['decimals for JPY', { amount: '1.5', currency: 'JPY', category: 'x' }, /amount must be a whole number for JPY/],
      ['zero', { amount: '0', category: 'x' }, /amount must be greater than 0/],
      ['negative', { amount: -3, category: 'x' }, /amount must be greater than 0/],
      ['too large', { amount: '1000000000000.01', category: 'x' }, /amount must be at most/],
      ['exponent', { amount: '1e3', category: 'x' }, /amount must be a plain decimal/],
      ['separator', { amount: '1,000', category: 'x' }, /amount must be a plain decimal/],
      ['amount missing', { category: 'x' }, /amount is required/],
      ['amount boolean', { amount: true, category: 'x' }, /amount must be a string or number/],
      ['category missing', { amount: '1' }, /category must be a string/],
      ['category blank', { amount: '1', category: '   ' }, /category must be 1-64 characters/],
      ['category long', { amount: '1', category: 'x'.repeat(65) }, /category must be 1-64 characters/],
      [
        'description long',
        { amount: '1', category: 'x', description: 'd'.repeat(501) },
        /description must be at most 500/,
      ],
      ['description number', { amount: '1', category: 'x', description: 5 }, /description must be a string/],
      ['bad date', { amount: '1', category: 'x', date: '2026-02-30' }, /date must be a real calendar date/],
      [
        'date with time',
        { amount: '1', category: 'x', date: '2026-02-03T10:00:00Z' },
        /date must be a real calendar date/,
      ],
      ['bad currency', { amount: '1', category: 'x', currency: 'XYZ' }, /currency must be an ISO 4217 code/],
      ['unknown field', { amount: '1', category: 'x', colour: 'red' }, /colour/],
      [
        'allowDuplicate text',
        { amount: '1', category: 'x', allowDuplicate: 'yes' },
        /allowDuplicate must be true or false/,
      ],
    ];

    it.each(cases)('%s', async (_name, body, message) => {
      const c = await freshLedger();
      const answer = await c.post('/expenses', body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(answer.body.message).toMatch(message);
      expect((await c.get('/expenses')).body.count).toBe(0);
    });

    it('accepts the limits exactly', async () => {
      const c = await freshLedger();
      expect(
        (await c.post('/expenses', { amount: '1000000000000', category: 'x'.repeat(64), description: 'd'.repeat(500) }))
          .status,
      ).toBe(201);
    });

    it('malformed JSON, non-object bodies, wrong media type and huge bodies are 4xx', async () => {
      const c = await freshLedger();
      const json = { 'content-type': 'application/json' };
      expect((await c.request('POST', '/expenses', { raw: '{"amount":', headers: json })).status).toBe(400);
      expect((await c.request('POST', '/expenses', { raw: '[1,2]', headers: json })).body.message).toMatch(
        /body must be a JSON object/,
      );
      expect((await c.request('POST', '/expenses', { raw: 'null', headers: json })).status).toBe(400);
      const huge = await c.request('POST', '/expenses', {
        raw: JSON.stringify({ amount: '1', category: 'x', description: 'y'.repeat(70_000) }),
        headers: json,
      });
      expect(huge.status).toBe(413);
      expect(huge.body.statusCode).toBe(413);
      const plain = await c.request('POST', '/expenses', {
        raw: 'amount=1',
        headers: { 'content-type': 'text/plain' },
      });
      expect(plain.status).toBeGreaterThanOrEqual(400);
      expect(plain.status).toBeLessThan(500);
      expect((await c.get('/expenses')).body.count).toBe(0);
    });

    it('bad query parameters are 400 naming the parameter', async () => {
      const c = await freshLedger();
      for (const [query, message] of [
        ['limit=0', /limit/],
        ['limit=501', /limit/],
        ['limit=abc', /limit/],
        ['sort=up', /sort/],
        ['from=2026-02-30', /from/],
        ['to=yesterday', /to/],
        ['from=2026-02-01&to=2026-01-01', /from must not be after to/],
        ['cursor=zzz', /cursor/],
        ['category=a&category=b', /category/],
        ['bogus=1', /bogus/],
      ] as const) {
        const answer = await c.get(`/expenses?${query}`);
        expect([query, answer.status]).toEqual([query, 400]);
        expect(answer.body.message).toMatch(message);
      }
    });

    it('unknown routes are 404 JSON', async () => {
      const answer = await api.get('/nothing/here');
      expect(answer.status).toBe(404);
      expect(answer.body.statusCode).toBe(404);
    });
  });

  describe('reads', () => {
    let c: Client;
    beforeAll(async () => {
      c = await freshLedger();
      const rows = [
        ['10.00', 'food', '2026-11-01'],
        ['20.00', 'travel', '2026-11-03'],
        ['30.00', 'Food', '2026-11-03'],
        ['40.00', 'rent', '2026-10-31'],
        ['5.55', 'food', '2026-11-05'],
      ];
      for (const [amount, category, date] of rows) {
        expect((await c.post('/expenses', { amount, category, date })).status).toBe(201);
      }
      await c.post('/expenses', { amount: '100', currency: 'EUR', category: 'food', date: '2026-11-02' });
    });

    it('lists newest date first, then newest created', async () => {
      const list = await c.get('/expenses');
      expect(list.status).toBe(200);
      expect(list.body.items.map((e: any) => `${e.date} ${e.amount}`)).toEqual([
        '2026-11-05 5.55',
        '2026-11-03 30.00',
        '2026-11-03 20.00',
        '2026-11-02 100.00',
        '2026-11-01 10.00',
        '2026-10-31 40.00',
      ]);
      expect(list.body.count).toBe(6);
      expect(list.body.total).toEqual({ EUR: '100.00', USD: '105.55' });
      expect(list.body.nextCursor).toBeNull();
      const asc = await c.get('/expenses?sort=date_asc');
      expect(asc.body.items.map((e: any) => e.amount)).toEqual(['40.00', '10.00', '100.00', '20.00', '30.00', '5.55']);
    });

    /** Every page of a walk with the cursor, as "date amount". */
    async function walk(query: string): Promise<string[][]> {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const page: any = await c.get(`/expenses?${query}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        pages.push(page.body.items.map((e: any) => `${e.date} ${e.amount}`));
        cursor = page.body.nextCursor;
      } while (cursor && pages.length < 10);
      return pages;
    }

    it('a page that ends inside a date continues with the rest of that date, newest first and oldest first', async () => {
      // 2026-11-03 holds two expenses (20.00 made before 30.00): each walk breaks a page between them.
      expect(await walk('limit=2')).toEqual([
        ['2026-11-05 5.55', '2026-11-03 30.00'],
        ['2026-11-03 20.00', '2026-11-02 100.00'],
        ['2026-11-01 10.00', '2026-10-31 40.00'],
      ]);
      expect(await walk('limit=2&sort=date_asc')).toEqual([
        ['2026-10-31 40.00', '2026-11-01 10.00'],
        ['2026-11-02 100.00', '2026-11-03 20.00'],
        ['2026-11-03 30.00', '2026-11-05 5.55'],
      ]);
      expect(await walk('limit=4&sort=date_asc&category=food')).toEqual([
        ['2026-11-01 10.00', '2026-11-02 100.00', '2026-11-03 30.00', '2026-11-05 5.55'],
      ]);
      expect(await walk('limit=1&sort=date_asc&from=2026-11-02&to=2026-11-03')).toEqual([
        ['2026-11-02 100.00'],
        ['2026-11-03 20.00'],
        ['2026-11-03 30.00'],
      ]);
    });

    it('filters by category case-insensitively and by inclusive dates; count and total cover every match', async () => {
      const food = await c.get('/expenses?category=FOOD&limit=1');
      expect(food.body.items).toHaveLength(1);
      expect(food.body.count).toBe(4);
      expect(food.body.total).toEqual({ EUR: '100.00', USD: '45.55' });
      const range = await c.get('/expenses?from=2026-11-01&to=2026-11-03');
      expect(range.body.count).toBe(4);
      expect(range.body.total).toEqual({ EUR: '100.00', USD: '60.00' });
    });

    it("ranges at the calendar's ends count only what lies inside them", async () => {
      const late = await c.get('/expenses?from=9999-12-15&limit=1');
      expect([late.status, late.body.count, late.body.total]).toEqual([200, 0, {}]);
      const lateSummary = await c.get('/expenses/summary?from=9999-12-15');
      expect([lateSummary.body.count, lateSummary.body.categories]).toEqual([0, []]);
      const early = await c.get('/expenses?to=0100-01-15&limit=1');
      expect([early.status, early.body.count]).toEqual([200, 0]);
    });

    it('pages with the cursor and no row is repeated or skipped', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await c.get(`/expenses?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.count).toBe(6);
        seen.push(...page.body.items.map((e: any) => e.id));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(2);
      expect(new Set(seen).size).toBe(6);
      const all = await c.get('/expenses');
      expect(seen).toEqual(all.body.items.map((e: any) => e.id));
    });

    it('summarises per category and currency', async () => {
      const summary = await c.get('/expenses/summary?from=2026-11-01&to=2026-11-30');
      expect(summary.status).toBe(200);
      expect(summary.body).toEqual({
        from: '2026-11-01',
        to: '2026-11-30',
        count: 5,
        total: { EUR: '100.00', USD: '65.55' },
        categories: [
          { category: 'food', count: 4, total: { EUR: '100.00', USD: '45.55' } },
          { category: 'travel', count: 1, total: { USD: '20.00' } },
        ],
      });
    });

    it('gets one expense and 404s an unknown id', async () => {
      const first = (await c.get('/expenses?limit=1')).body.items[0];
      expect((await c.get(`/expenses/${first.id}`)).body).toEqual(first);
      const missing = await c.get('/expenses/nope');
      expect(missing.status).toBe(404);
      expect(missing.body.message).toMatch(/expense nope not found/);
    });
  });

  describe('CSV export', () => {
    it('has a header row and every matching row, quoted safely', async () => {
      const c = await freshLedger();
      await c.post('/expenses', {
        amount: '1.50',
        category: 'food',
        description: 'tea, "green"\nand cake',
        date: '2026-11-01',
      });
      await c.post('/expenses', {
        amount: '2',
        category: 'food',
        description: '=HYPERLINK("http://x")',
        date: '2026-11-02',
      });
      await c.post('/expenses', { amount: '3', category: 'rent', description: '@sum', date: '2026-11-03' });
      const answer = await c.get('/expenses/export.csv?category=food');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = answer.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('id,date,amount,currency,category,description,source,author,createdAt');
      expect(answer.text).toContain('"tea, ""green""\nand cake"');
      expect(answer.text).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(answer.text).not.toContain('@sum');
      expect(answer.text).not.toContain('rent');
      expect(lines[1]).toContain(',2026-11-02,2.00,USD,food,');
    });

    it("exports thousands of rows in the list's order (newest created first on one date), streamed in batches", async () => {
      const c = await freshLedger();
      for (let i = 0; i < 1100; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            c.post('/expenses', { amount: String(i + j + 1), category: 'bulk', date: '2026-01-01' }),
          ),
        );
      }
      const answer = await c.get('/expenses/export.csv');
      const lines = answer.text.trimEnd().split('\r\n');
      expect(lines).toHaveLength(1101);
      const exported = lines.slice(1).map((l) => l.split(',')[0]);
      expect(new Set(exported).size).toBe(1100);
      // The list's order (one date: newest created first), as walked page by page with the cursor.
      const listed: string[] = [];
      for (let cursor = ''; listed.length === 0 || cursor;) {
        const page: any = await c.get(`/expenses?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        listed.push(...page.body.items.map((e: any) => e.id));
        cursor = page.body.nextCursor ?? '';
      }
      expect(exported).toEqual(listed);
      const createdAt = lines.slice(1).map((l) => l.split(',').pop()!);
      expect(createdAt).toEqual([...createdAt].sort().reverse());
      expect(createdAt[0] > createdAt[1099]).toBe(true);
    });

    it('rejects a bad filter with 400 before streaming', async () => {
      expect((await api.get('/expenses/export.csv?from=2026-02-31')).status).toBe(400);
    });
  });

  describe('delete and ledger isolation', () => {
    it('soft-deletes: gone from lists and totals, 404 after', async () => {
      const c = await freshLedger();
      const a = await c.post('/expenses', { amount: '10', category: 'x', date: '2026-01-01' });
      await c.post('/expenses', { amount: '1', category: 'x', date: '2026-01-02' });
      expect((await c.delete(`/expenses/${a.body.id}`)).status).toBe(204);
      expect((await c.get(`/expenses/${a.body.id}`)).status).toBe(404);
      expect((await c.delete(`/expenses/${a.body.id}`)).status).toBe(404);
      const list = await c.get('/expenses');
      expect(list.body.count).toBe(1);
      expect(list.body.total).toEqual({ USD: '1.00' });
      expect((await c.get('/expenses/summary')).body.total).toEqual({ USD: '1.00' });
    });

    it('another ledger sees nothing and its ids answer 404 on every route', async () => {
      const alice = await freshLedger();
      const bob = await freshLedger();
      const secret = await alice.post('/expenses', { amount: '99', category: 'private', date: '2026-01-01' });
      expect((await bob.get(`/expenses/${secret.body.id}`)).status).toBe(404);
      expect((await bob.delete(`/expenses/${secret.body.id}`)).status).toBe(404);
      expect((await bob.get('/expenses')).body).toEqual({ items: [], count: 0, total: {}, nextCursor: null });
      expect((await bob.get('/expenses/summary')).body.categories).toEqual([]);
      expect((await bob.get('/expenses/export.csv')).text).not.toContain('private');
      // Same content in another ledger is not a duplicate.
      expect((await bob.post('/expenses', { amount: '99', category: 'private', date: '2026-01-01' })).status).toBe(201);
      expect((await alice.get(`/expenses/${secret.body.id}`)).status).toBe(200);
    });
  });

  describe("today is the ledger's date, not UTC's", () => {
    /** The calendar date in a zone at an instant, as a wall calendar there shows it. */
    const dateIn = (zone: string, at: Date) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
        at,
      );

    // UTC+14 is a day ahead of UTC from 10:00 UTC on, UTC-12 a day behind until 12:00 UTC: at any moment at
    // least one of these cases fails if "today" is taken in UTC, whenever the suite runs.
    it.each(['Pacific/Kiritimati', 'Etc/GMT+12'])(
      'a ledger in %s: an expense with no date is dated today there, and lists under that date',
      async (zone) => {
        const zoned = await startApp({ defaultTimezone: zone }, engine);
        try {
          const c = new Client(zoned.url, await zoned.token(`zone-${zone}`));
          const before = new Date();
          const answer = await c.post('/expenses', { amount: '3', category: 'x' });
          const after = new Date();
          expect(answer.status).toBe(201);
          expect([dateIn(zone, before), dateIn(zone, after)]).toContain(answer.body.date);
          const listed = await c.get(`/expenses?from=${answer.body.date}&to=${answer.body.date}`);
          expect(listed.body.items.map((e: any) => e.id)).toEqual([answer.body.id]);
        } finally {
          await zoned.close();
        }
      },
    );
  });

  describe('docs', () => {
    it('serves the OpenAPI document and the interactive docs', async () => {
      const json = await new Client(t.url).get('/docs-json');
      expect(json.status).toBe(200);
      expect(Object.keys(json.body.paths)).toEqual(
        expect.arrayContaining(['/expenses', '/expenses/{id}', '/expenses/summary', '/expenses/export.csv', '/health']),
      );
      expect(json.body.components.schemas.CreateExpenseDto.properties).toHaveProperty('amount');
      const html = await new Client(t.url).get('/docs');
      expect(html.status).toBe(200);
      expect(html.text).toContain('swagger');
    });
  });
});
