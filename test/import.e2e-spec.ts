import { startApp, TestApp } from './support/app';
import { ENGINES } from './support/engines';
import { Client } from './support/http';

/** POST /expenses/import and GET /imports/:id (CONTRACT §9) over real HTTP, on both engines. */
describe.each(ENGINES)('%s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({}, engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function freshLedger(): Promise<Client> {
    return new Client(t.url, await t.token(`import-${Math.random()}`));
  }

  function upload(c: Client, csv: string | Buffer, query = '', contentType = 'text/csv') {
    return c.request('POST', `/expenses/import${query}`, {
      raw: csv as string,
      headers: { 'content-type': contentType },
    });
  }

  async function finished(c: Client, id: string): Promise<any> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = await c.get(`/imports/${id}`);
      expect(job.status).toBe(200);
      if (job.body.state !== 'running') return job.body;
      if (Date.now() > deadline) throw new Error(`import ${id} still running: ${JSON.stringify(job.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function importCsv(c: Client, csv: string | Buffer, query = ''): Promise<any> {
    const started = await upload(c, csv, query);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ id: expect.any(String), state: expect.stringMatching(/^(running|done)$/) });
    return finished(c, started.body.id);
  }

  /** Every live expense's content, as a sorted list: what a round trip must keep. */
  async function contents(c: Client): Promise<string[]> {
    const items = (await c.get('/expenses?limit=500')).body.items as any[];
    return items.map((e) => JSON.stringify([e.date, e.amount, e.currency, e.category, e.description])).sort();
  }

  it('its own export imports into an empty ledger as the same expenses, duplicates included; the same file again adds nothing', async () => {
    const source = await freshLedger();
    const bodies = [
      { amount: '12.50', category: 'food', description: 'Lunch, with "Ann"', date: '2026-11-20' },
      { amount: '12.50', category: 'food', description: 'Lunch, with "Ann"', date: '2026-11-20', allowDuplicate: true },
      { amount: '1200', currency: 'JPY', category: 'sushi', description: 'line one\nline two', date: '2026-11-19' },
      { amount: '1.250', currency: 'BHD', category: 'tea', description: '=SUM(A1:A2)', date: '2026-10-01' },
      { amount: '999999999999.99', category: 'house', description: 'Ünïcödé ✓', date: '2025-01-31' },
      { amount: '0.01', category: 'Food', description: '-minus and @at', date: '2024-02-29' },
    ];
    for (const body of bodies) expect((await source.post('/expenses', body)).status).toBe(201);
    const csv = (await source.get('/expenses/export.csv')).text;

    const target = await freshLedger();
    const first = await importCsv(target, csv);
    expect(first).toMatchObject({
      state: 'done',
      rowsRead: 6,
      recorded: 6,
      alreadyPresent: 0,
      rejected: [],
      rejectedCount: 0,
    });
    expect(await contents(target)).toEqual(await contents(source));
    const [from, to] = [await source.get('/expenses'), await target.get('/expenses')];
    expect(to.body.total).toEqual(from.body.total);
    expect(to.body.count).toBe(6);
    expect(to.body.items.every((e: any) => e.source === 'import')).toBe(true);
    expect((await target.get('/expenses/summary')).body.categories).toEqual(
      (await source.get('/expenses/summary')).body.categories,
    );

    const again = await importCsv(target, csv);
    expect(again).toMatchObject({ state: 'done', rowsRead: 6, recorded: 0, alreadyPresent: 6, rejectedCount: 0 });
    expect((await target.get('/expenses')).body).toMatchObject({ count: 6, total: to.body.total });

    // Into the ledger it came from: everything is already there.
    expect(await importCsv(source, csv)).toMatchObject({ recorded: 0, alreadyPresent: 6 });
  });

  it("another app's CSV: header names in any case, decimal comma, day-first dates, semicolons; bad rows rejected by line and column, the rest recorded", async () => {
    const c = await freshLedger();
    const csv = [
      'Datum;DATE;Amount;Category;Description;Currency;Note',
      'x;24.11.2026;12,50;Food;Lunch;EUR;a',
      'x;31.11.2026;3,00;Food;bad day;EUR;b',
      'x;25.11.2026;1,234;Food;too precise;EUR;c',
      'x;25.11.2026;7;;no category;EUR;d',
      'x;26.11.2026;8,5;Taxi;;;e',
      'x;26.11.2026;1.5;Taxi;dot;EUR;f',
      'x;27.11.2026;2;Taxi;short row',
      'x;27.11.2026;3;Taxi;odd;XYZ;g',
    ].join('\r\n');
    const job = await importCsv(c, csv, '?decimal=,&dateFormat=DD.MM.YYYY&delimiter=;');
    expect(job).toMatchObject({ state: 'done', rowsRead: 8, recorded: 2, alreadyPresent: 0, rejectedCount: 6 });
    expect(job.rejected).toEqual([
      { line: 3, message: expect.stringMatching(/^date must be a real calendar date written DD\.MM\.YYYY/) },
      { line: 4, message: expect.stringMatching(/^amount .*2 decimal/) },
      { line: 5, message: expect.stringMatching(/^category/) },
      { line: 7, message: expect.stringMatching(/^amount must use "," as its decimal mark/) },
      { line: 8, message: 'the row has 5 fields, the header 7' },
      { line: 9, message: expect.stringMatching(/^currency/) },
    ]);
    const list = await c.get('/expenses');
    expect(list.body.total).toEqual({ EUR: '12.50', USD: '8.50' });
    expect(list.body.items.map((e: any) => [e.date, e.category, e.description])).toEqual([
      ['2026-11-26', 'taxi', ''],
      ['2026-11-24', 'food', 'Lunch'],
    ]);
  });

  it.each([
    ['MM/DD/YYYY', '11/24/2026'],
    ['DD/MM/YYYY', '24/11/2026'],
    ['YYYY-MM-DD', '2026-11-24'],
  ])('dateFormat=%s reads %s as 2026-11-24', async (format, text) => {
    const c = await freshLedger();
    const job = await importCsv(c, `date,amount,category\n${text},5,x\n`, `?dateFormat=${encodeURIComponent(format)}`);
    expect(job).toMatchObject({ recorded: 1, rejectedCount: 0 });
    expect((await c.get('/expenses')).body.items[0].date).toBe('2026-11-24');
  });

  it('a row with 10,000 columns is rejected and the rest go in; more than 100 rejected rows are counted, 100 listed', async () => {
    const c = await freshLedger();
    const rows = ['date,amount,category', `2026-11-01,1,wide${',x'.repeat(9_999)}`, '2026-11-02,2,ok'];
    for (let i = 0; i < 150; i++) rows.push(`2026-11-0x,${i},bad`);
    const job = await importCsv(c, rows.join('\n'));
    expect(job).toMatchObject({ state: 'done', rowsRead: 152, recorded: 1, rejectedCount: 151 });
    expect(job.rejected).toHaveLength(100);
    expect(job.rejected[0]).toEqual({ line: 2, message: 'the row has 10002 fields, the header 3' });
    expect(job.rejected[1]).toEqual({ line: 4, message: expect.stringMatching(/^date/) });
  });

  describe('bad input: a clear 4xx and nothing recorded', () => {
    it.each([
      ['not UTF-8', Buffer.from('date,amount,category\n2026-11-01,5,caf\xe9\n', 'latin1'), '', 400, /not UTF-8/],
      [
        'missing columns',
        'date,price,what\n2026-11-01,5,x\n',
        '',
        400,
        /must name the columns date, amount, category \(missing: amount, category/,
      ],
      ['empty', '', '', 400, /empty/],
      [
        'a header of 10,000 columns',
        `date,amount,category${',x'.repeat(9_997)}\n`,
        '',
        400,
        /header has 10000 columns/,
      ],
      ['JSON, not CSV', '{"amount": 5, "category": "x"}', '', 400, /must name the columns/],
      ['a bad decimal option', 'date,amount,category\n', '?decimal=x', 400, /^decimal/],
      ['a bad dateFormat', 'date,amount,category\n', '?dateFormat=YY', 400, /^dateFormat/],
      ['a bad delimiter', 'date,amount,category\n', '?delimiter=|', 400, /^delimiter/],
      ['an unknown option', 'date,amount,category\n', '?encoding=latin1', 400, /encoding/],
    ])('%s', async (_name, csv, query, status, message) => {
      const c = await freshLedger();
      const answer = await upload(c, csv, query);
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({ statusCode: status });
      expect(answer.body.message).toMatch(message);
      expect((await c.get('/expenses')).body.count).toBe(0);
    });

    it("a JSON body is 415; no token is 401; another ledger's import is 404", async () => {
      const c = await freshLedger();
      const json = await c.request('POST', '/expenses/import', { body: { amount: 5 } });
      expect(json.status).toBe(415);
      expect(json.body.message).toMatch(/text\/csv/);
      expect(
        (
          await new Client(t.url).request('POST', '/expenses/import', {
            raw: 'date,amount,category\n',
            headers: { 'content-type': 'text/csv' },
          })
        ).status,
      ).toBe(401);
      const job = await importCsv(c, 'date,amount,category\n2026-11-01,5,x\n');
      const other = await freshLedger();
      expect((await other.get(`/imports/${job.id}`)).status).toBe(404);
      expect((await c.get('/imports/nosuchimport0000')).status).toBe(404);
    });

    it('101 MiB is 413, whether Content-Length says so or the stream runs over', async () => {
      const c = await freshLedger();
      const big = Buffer.alloc(101 * 1024 * 1024, 'a');
      big.write('date,amount,category\n');
      const answer = await upload(c, big);
      expect(answer.status).toBe(413);
      expect(answer.body.message).toMatch(/larger than 100 MiB/);
      // Chunked, with no Content-Length: the limit is counted while reading.
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < 101; i++)
            controller.enqueue(i === 0 ? big.subarray(0, 1024 * 1024) : Buffer.alloc(1024 * 1024, 'a'));
          controller.close();
        },
      });
      const response = await fetch(`${t.url}/expenses/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.token}`, 'content-type': 'text/csv' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(413);
      expect((await c.get('/expenses')).body.count).toBe(0);
    });
  });

  it('can be watched while it runs: progress only grows and ends at the whole file', async () => {
    const c = await freshLedger();
    const rows = ['date,amount,category,description'];
    for (let i = 0; i < 30_000; i++)
      rows.push(
        `2026-0${1 + (i % 9)}-1${i % 10},${1 + (i % 97)}.${String(i % 100).padStart(2, '0')},cat${i % 40},row ${i}`,
      );
    const started = await upload(c, rows.join('\n'));
    expect(started.status).toBe(202);
    const seen: number[] = [];
    let job;
    do {
      job = (await c.get(`/imports/${started.body.id}`)).body;
      seen.push(job.rowsRead);
      expect(job.bytesRead).toBeLessThanOrEqual(job.bytesTotal);
      // A watcher polls; one that asks without pause takes the CPU the import needs (on PostgreSQL it then ran past a minute).
      if (job.state === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
    } while (job.state === 'running');
    expect(job).toMatchObject({ state: 'done', rowsRead: 30_000, recorded: 30_000, rejectedCount: 0 });
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBeGreaterThan(2); // it was watched while it ran, not only at the end
    expect(job.bytesRead).toBe(job.bytesTotal);
    expect((await c.get('/expenses?limit=1')).body.count).toBe(30_000);
  }, 180_000);
});
