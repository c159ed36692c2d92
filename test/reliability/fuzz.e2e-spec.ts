import fc from 'fast-check';
import { decodeCursor, encodeCursor } from '../../src/expenses/cursor';
import { formatMinor, Money, MoneyError } from '../../src/money/money';
import { parseAdd, parseFilter } from '../../src/chat/parse';
import { startApp, TestApp } from '../support/app';
import { Client } from '../support/http';

type Expense = { id: string; amount: string; currency: string; category: string; date: string };

/** {currency: total} of expenses as the API writes amounts ("2.50", "10"), summed exactly as decimal strings. */
function sumByCurrency(expenses: Expense[]): Record<string, string> {
  const sums = new Map<string, { minor: bigint; digits: number }>();
  for (const { amount, currency } of expenses) {
    const digits = amount.split('.')[1]?.length ?? 0;
    const sum = sums.get(currency) ?? { minor: 0n, digits };
    sum.minor += BigInt(amount.replace('.', ''));
    sums.set(currency, sum);
  }
  const totals: Record<string, string> = {};
  for (const [currency, { minor, digits }] of sums) {
    const text = minor.toString().padStart(digits + 1, '0');
    totals[currency] = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  }
  return totals;
}

/**
 * Property-based fuzzing with fast-check: the money parser and formatter, the
 * bot grammar, the cursor codec, and random bodies, headers and query strings
 * against the running app. `npm run test:stress` tries ten times as many.
 */
const RUNS = process.env.STRESS ? 5000 : 500;
const HTTP_RUNS = process.env.STRESS ? 3000 : 300;

const CURRENCIES: Array<[string, number]> = [
  ['USD', 2],
  ['JPY', 0],
  ['BHD', 3],
  ['CLF', 4],
];

describe('money', () => {
  it('format then parse gives back the exact minor units, for every currency', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCIES),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.nat({ max: 9999 }),
        ([code, digits], major, fraction) => {
          const minor = major * 10n ** BigInt(digits) + BigInt(fraction % 10 ** digits);
          const text = formatMinor(minor, digits);
          if (major === 10n ** 12n && minor > 10n ** 12n * 10n ** BigInt(digits)) return; // over the limit: covered below
          expect(Money.parse(text, code).minor).toBe(minor);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any string either parses to a value whose text is the same number, or is refused with a MoneyError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^\d{1,14}(\.\d{1,5})?$/)),
        fc.constantFrom(...CURRENCIES),
        (text, [code]) => {
          try {
            const money = Money.parse(text, code);
            const [whole, fraction = ''] = text.split('.');
            const expected = `${BigInt(whole)}${money.currency.digits ? `.${fraction.padEnd(money.currency.digits, '0')}` : ''}`;
            expect(money.format()).toBe(expected);
            expect(money.minor > 0n).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(MoneyError);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('JSON numbers are accepted only when exact', () => {
    const seen = { accepted: 0, refused: 0 };
    // Half the numbers are whole fils (BHD has 3 decimals), which must all be accepted; half are any double.
    const fils = fc.integer({ min: 1, max: 10 ** 12 }).map((n) => n / 1000);
    fc.assert(
      fc.property(fc.oneof(fils, fc.double({ noNaN: true })), (value) => {
        try {
          const money = Money.parse(value, 'BHD');
          expect(Number(money.format())).toBe(value);
          seen.accepted++;
        } catch (error) {
          expect(error).toBeInstanceOf(MoneyError);
          seen.refused++;
        }
      }),
      { numRuns: RUNS },
    );
    // Both branches really ran, many times each.
    expect(seen.accepted).toBeGreaterThan(RUNS / 5);
    expect(seen.refused).toBeGreaterThan(RUNS / 5);
  });
});

describe('bot grammar', () => {
  it('never throws, and what it accepts has a plain amount and a category', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseAdd(text, '2026-11-24');
        if (parsed.ok) {
          expect(parsed.value.amount).toMatch(/^\d+(\.\d+)?$/);
          expect(parsed.value.category.length).toBeGreaterThan(0);
        } else expect(parsed.error.length).toBeGreaterThan(0);
        const filter = parseFilter(text);
        if (!filter.ok) expect(filter.error).toMatch(/\/list/);
      }),
      { numRuns: RUNS },
    );
  });

  it('well-formed commands with one character changed: each parsed or explained, both often', () => {
    const seen = { accepted: 0, refused: 0 };
    const command = fc
      .tuple(
        fc.stringMatching(/^[1-9]\d{0,4}([.,]\d{1,2})?$/),
        fc.constantFrom('', ' EUR', '€'),
        fc.stringMatching(/^[a-z]{1,10}$/),
        fc.stringMatching(/^( [a-z]{1,6}){0,3}$/),
        fc.constantFrom('', ' @yesterday', ' @2026-11-20'),
      )
      .map(
        ([amount, currency, category, words, date]) =>
          (currency === '€' ? `€${amount}` : amount + currency) + ` ${category}${words}${date}`,
      );
    const changed = fc
      .tuple(command, fc.nat(), fc.constantFrom('', 'x', '.', ',', '-', '@', '€', ' ', '9', 'EUR'))
      .map(([text, at, put]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + put + text.slice(i + 1);
      });
    fc.assert(
      fc.property(changed, (text) => {
        const parsed = parseAdd(text, '2026-11-24');
        if (parsed.ok) {
          seen.accepted++;
          expect(parsed.value.amount).toMatch(/^\d+(\.\d+)?$/);
          expect(parsed.value.category.length).toBeGreaterThan(0);
        } else {
          seen.refused++;
          expect(parsed.error).toMatch(/\/add|@today/); // shows the right form (of the command, or of its date)
        }
      }),
      { numRuns: RUNS },
    );
    expect(seen.accepted).toBeGreaterThan(RUNS / 5);
    expect(seen.refused).toBeGreaterThan(RUNS / 10);
  });

  it('reads back what a well-formed command says', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9]\d{0,5}([.,]\d{1,2})?$/),
        fc.stringMatching(/^[a-z]{1,12}$/),
        fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 4 }),
        (amount, category, words) => {
          const parsed = parseAdd([amount, category, ...words].join(' '), '2026-11-24');
          expect(parsed).toEqual({
            ok: true,
            value: {
              amount: amount.replace(',', '.'),
              currency: undefined,
              category,
              description: words.join(' '),
              date: undefined,
            },
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('cursor codec', () => {
  it('round-trips every position and rejects everything it did not make', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        fc.nat(),
        (date, seq) => {
          const cursor = { date: date.toISOString().slice(0, 10), seq };
          expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
        },
      ),
      { numRuns: RUNS },
    );
    // Real cursors, real cursors with one character changed, cut or added, and any string: decoding either
    // gives back exactly the cursor's text or refuses it.
    const seen = { decoded: 0, refused: 0 };
    const real = fc
      .record({
        date: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        seq: fc.nat(),
      })
      .map(({ date, seq }) => encodeCursor({ date: date.toISOString().slice(0, 10), seq }));
    const mutated = fc
      .tuple(real, fc.nat(), fc.constantFrom('change', 'cut', 'add'), fc.constantFrom(...'AZaz09-_=+/.'))
      .map(([text, at, how, char]) => {
        const i = at % text.length;
        if (how === 'cut') return text.slice(0, i);
        if (how === 'add') return text.slice(0, i) + char + text.slice(i);
        return text.slice(0, i) + char + text.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(real, mutated, fc.string()), (text) => {
        const decoded = decodeCursor(text);
        if (decoded) {
          expect(encodeCursor(decoded)).toBe(text);
          seen.decoded++;
        } else seen.refused++;
      }),
      { numRuns: RUNS },
    );
    expect(seen.decoded).toBeGreaterThan(RUNS / 5);
    expect(seen.refused).toBeGreaterThan(RUNS / 5);
  });
});

describe('HTTP: random input never gets a 5xx', () => {
  let t: TestApp;
  let token: string;
  let tried = 0;
  beforeAll(async () => {
    t = await startApp();
    token = await t.token('fuzz');
  });
  afterAll(async () => {
    console.log(`fuzz: ${tried} random HTTP requests, no 5xx`);
    await t.close();
  });

  async function check(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
    tried++;
    const response = await fetch(t.url + path, { method, headers, body });
    const text = await response.text();
    expect([method, path, body, response.status < 500]).toEqual([method, path, body, true]);
    if (response.status >= 400) {
      expect(response.headers.get('content-type')).toMatch(/application\/json/);
      const json = JSON.parse(text);
      expect(json.statusCode).toBe(response.status);
      expect(typeof json.message).toBe('string');
      expect(json.message.length).toBeGreaterThan(0);
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
    }
    return response.status;
  }

  const field = fc.constantFrom(
    'amount',
    'category',
    'description',
    'date',
    'currency',
    'allowDuplicate',
    'extra',
    '__proto__',
    'constructor',
  );
  const value = fc.oneof(
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
  );

  /** A create body as a client would send it, then, most of the time, one thing made wrong. */
  const validBody = fc.record(
    {
      amount: fc.oneof(fc.stringMatching(/^[1-9]\d{0,5}(\.\d{1,2})?$/), fc.integer({ min: 1, max: 99_999 })),
      category: fc.stringMatching(/^[A-Za-z][A-Za-z -]{0,20}$/),
      description: fc.string({ maxLength: 40 }),
      date: fc
        .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
        .map((date) => date.toISOString().slice(0, 10)),
      currency: fc.constantFrom('USD', 'EUR', 'GBP', 'CHF'),
      allowDuplicate: fc.boolean(),
    },
    { requiredKeys: ['amount', 'category'] },
  );
  const mutatedBody = fc.oneof(
    { weight: 2, arbitrary: validBody },
    {
      weight: 1,
      arbitrary: fc.tuple(validBody, field, value).map(([body, key, wrong]) => ({ ...body, [key]: wrong })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validBody, fc.constantFrom('amount', 'category'))
        .map(([body, key]) => Object.fromEntries(Object.entries(body).filter(([name]) => name !== key))),
    },
  );

  it('POST /expenses from valid bodies, one field made wrong: each accepted (2xx) or refused (4xx), both often', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(mutatedBody, async (body) => {
        const status = await check(
          'POST',
          '/expenses',
          { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          JSON.stringify(body),
        );
        if (status < 300) seen.accepted++;
        else seen.refused++;
      }),
      { numRuns: HTTP_RUNS },
    );
    console.log(`fuzz: POST from valid bodies: ${seen.accepted} accepted, ${seen.refused} refused`);
    expect(seen.accepted).toBeGreaterThan(HTTP_RUNS / 5);
    expect(seen.refused).toBeGreaterThan(HTTP_RUNS / 10);
  });

  it('POST /expenses with random bodies and Idempotency-Keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.dictionary(field, value), fc.anything(), fc.string()),
        fc.option(fc.string({ maxLength: 300 })),
        fc.boolean(),
        async (body, key, raw) => {
          const headers: Record<string, string> = {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          };
          if (key !== null && /^[\x00-\xff]*$/.test(key) && !/[\r\n\0]/.test(key)) headers['idempotency-key'] = key;
          await check(
            'POST',
            '/expenses',
            headers,
            raw && typeof body === 'string' ? body : (JSON.stringify(body) ?? 'null'),
          );
        },
      ),
      { numRuns: HTTP_RUNS },
    );
  });

  it('PATCH /expenses/:id with random bodies and If-Match: never a 5xx, and a refused edit changes nothing', async () => {
    const api = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(t.url + '/expenses', {
      method: 'POST',
      headers: api,
      body: JSON.stringify({ amount: '5.00', category: 'fuzz-edit', allowDuplicate: true }),
    });
    const { id } = (await created.json()) as { id: string };
    const patchField = fc.constantFrom(
      'amount',
      'category',
      'description',
      'date',
      'currency',
      'allowDuplicate',
      'number',
      'id',
      'extra',
    );
    const editValue = fc.oneof(
      value,
      fc.stringMatching(/^\d{1,4}(\.\d{1,3})?$/),
      fc.constantFrom('EUR', 'JPY', 'BHD', '2026-02-28', '2026-02-30'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.dictionary(patchField, editValue), fc.anything()),
        fc.option(fc.constantFrom('*', '"nope"', 'W/"x"', '')),
        async (body, ifMatch) => {
          const before = await (await fetch(`${t.url}/expenses/${id}`, { headers: api })).text();
          const headers: Record<string, string> = { ...api };
          if (ifMatch !== null) headers['if-match'] = ifMatch;
          const text = JSON.stringify(body) ?? 'null';
          await check('PATCH', `/expenses/${id}`, headers, text);
          const response = await fetch(`${t.url}/expenses/${id}`, { method: 'PATCH', headers, body: text });
          const after = await (await fetch(`${t.url}/expenses/${id}`, { headers: api })).text();
          if (response.status >= 400) expect(after).toBe(before);
          else expect(JSON.parse(after)).toEqual(await response.json());
        },
      ),
      { numRuns: HTTP_RUNS / 3 },
    );
  });

  it('GET /expenses, summary and export with random query strings', async () => {
    const param = fc.constantFrom('category', 'from', 'to', 'sort', 'limit', 'cursor', 'x');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/expenses', '/expenses/summary', '/expenses/export.csv'),
        fc.array(fc.tuple(param, fc.string({ maxLength: 20 })), { maxLength: 4 }),
        async (path, pairs) => {
          const query = new URLSearchParams(pairs).toString();
          await check('GET', `${path}?${query}`, { authorization: `Bearer ${token}` });
        },
      ),
      { numRuns: HTTP_RUNS },
    );
  });

  it('random ids and headers on the other routes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'DELETE', 'PATCH'),
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 60 }),
        async (method, id, authorization) => {
          const headers: Record<string, string> = {};
          if (/^[\x20-\x7e]*$/.test(authorization)) headers.authorization = authorization;
          await check(method, `/expenses/${encodeURIComponent(id)}`, headers);
          await check(method, `/expenses/${encodeURIComponent(id)}`, { authorization: `Bearer ${token}` });
        },
      ),
      { numRuns: HTTP_RUNS },
    );
  });
});

describe('daily totals stay in step with the expenses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('after any mix of creates, duplicates, edits and deletes over REST, the listed counts and totals equal a sum over what the API answered', async () => {
    let round = 0;
    const operation = fc.record({
      kind: fc.constantFrom('add', 'add', 'again', 'delete', 'edit'),
      amount: fc.constantFrom('1', '2.50', '10', '0.01'),
      currency: fc.constantFrom('USD', 'EUR', 'JPY'),
      category: fc.constantFrom('food', 'rent', 'Food '),
      // Month ends and starts: ranges below cut months into whole months and days (rangeParts).
      date: fc.constantFrom('2026-01-01', '2026-01-02', '2026-01-31', '2026-02-01', '2026-02-28', '2026-03-15'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 25 }), async (operations) => {
        const api = new Client(t.url, await t.token(`rollup-${round++}`));
        /** The live expenses, kept from the API's own answers: id → expense. */
        const live = new Map<string, Expense>();
        const newest = async (): Promise<Expense | undefined> => (await api.get('/expenses?limit=1')).body.items[0];
        for (const op of operations) {
          const amount = op.currency === 'JPY' ? '10' : op.amount;
          if (op.kind === 'delete') {
            const first = await newest();
            if (first) {
              expect((await api.request('DELETE', `/expenses/${first.id}`)).status).toBe(204);
              live.delete(first.id);
            }
          } else if (op.kind === 'edit') {
            // Moves the newest expense to this operation's amount, currency, category and date (a clash keeps both).
            const first = await newest();
            if (first) {
              const edited = await api.patch(`/expenses/${first.id}`, {
                amount,
                currency: op.currency,
                category: op.category,
                date: op.date,
                allowDuplicate: true,
              });
              expect(edited.status).toBe(200);
              live.set(first.id, edited.body);
            }
          } else {
            const answer = await api.post('/expenses', {
              amount,
              currency: op.currency,
              category: op.category,
              date: op.date,
              allowDuplicate: op.kind === 'again',
            });
            expect([200, 201]).toContain(answer.status);
            if (answer.status === 201) live.set(answer.body.id, answer.body);
            else expect(live.has(answer.body.id)).toBe(true); // a duplicate names one already recorded
          }
        }
        const filters: Array<{ query: string; keep(e: Expense): boolean }> = [
          { query: '', keep: () => true },
          { query: 'category=food', keep: (e) => e.category === 'food' },
          { query: 'from=2026-01-02', keep: (e) => e.date >= '2026-01-02' },
          { query: 'category=rent&to=2026-01-01', keep: (e) => e.category === 'rent' && e.date <= '2026-01-01' },
          { query: 'to=2026-01-31', keep: (e) => e.date <= '2026-01-31' },
          { query: 'from=2026-01-02&to=2026-02-28', keep: (e) => e.date >= '2026-01-02' && e.date <= '2026-02-28' },
          {
            query: 'category=food&from=2026-01-31&to=2026-02-01',
            keep: (e) => e.category === 'food' && e.date >= '2026-01-31' && e.date <= '2026-02-01',
          },
          { query: 'from=2026-02-01&to=2026-03-14', keep: (e) => e.date >= '2026-02-01' && e.date <= '2026-03-14' },
        ];
        for (const { query, keep } of filters) {
          const matching = [...live.values()].filter(keep);
          const list = await api.get(`/expenses?limit=1&${query}`);
          expect([query, list.body.count, list.body.total]).toEqual([query, matching.length, sumByCurrency(matching)]);
        }
        const summary = await api.get('/expenses/summary?from=2026-01-01&to=2026-12-31');
        expect(summary.body.count).toBe(live.size);
        expect(summary.body.total).toEqual(sumByCurrency([...live.values()]));
        const inside = [...live.values()].filter((e) => e.date >= '2026-01-02' && e.date <= '2026-02-28');
        const perCategory = [...new Set(inside.map((e) => e.category))].sort().map((category) => {
          const spent = inside.filter((e) => e.category === category);
          return { category, count: spent.length, total: sumByCurrency(spent) };
        });
        expect((await api.get('/expenses/summary?from=2026-01-02&to=2026-02-28')).body.categories).toEqual(perCategory);
      }),
      { numRuns: process.env.STRESS ? 300 : 40 },
    );
  });
});
