import { startApp, startAppWithBot, TestApp } from './support/app';
import { FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { textUpdate } from './support/updates';
import { webhookPoster } from './support/webhook';

/** GET /metrics after known traffic shows exactly that traffic (CONTRACT §10). */
describe('GET /metrics', () => {
  const SECRET = 'metrics_webhook-secret';
  let t: TestApp;
  let fake: FakeTelegram;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, 'sqlite'));
  });
  afterAll(() => stop());

  /** Every sample of the scrape, by its name and labels as written ("name{a="b"}"). */
  async function scrape(): Promise<Map<string, number>> {
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = new Map<string, number>();
    for (const line of (await response.text()).split('\n')) {
      const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (match) samples.set(match[1], Number(match[2]));
    }
    return samples;
  }

  const delta = (before: Map<string, number>, after: Map<string, number>, sample: string) =>
    (after.get(sample) ?? 0) - (before.get(sample) ?? 0);

  it('counts requests by route and status, expenses recorded, duplicates by layer, batches, import rows; has process metrics', async () => {
    const api = new Client(t.url, await t.token('metrics'));
    const deliver = webhookPoster(() => t.url, SECRET);
    const before = await scrape();

    for (const amount of ['1', '2', '3'])
      expect((await api.post('/expenses', { amount, category: 'm' })).status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await api.post('/expenses', { amount: '1', category: 'm' })).status).toBe(200);
    expect(
      (await api.post('/expenses', { amount: '4', category: 'm' }, { 'Idempotency-Key': 'metrics-1' })).status,
    ).toBe(201);
    expect(
      (await api.post('/expenses', { amount: '4', category: 'm' }, { 'Idempotency-Key': 'metrics-1' })).headers.get(
        'idempotent-replayed',
      ),
    ).toBe('true');
    const id = (await api.get('/expenses')).body.items[0].id;
    expect((await api.get(`/expenses/${id}`)).status).toBe(200);
    expect((await api.get('/expenses/nosuchexpense000')).status).toBe(404);
    expect((await api.get('/no/such/route')).status).toBe(404);
    const update = textUpdate('/add 5 metrics-bot', { from: { id: 77001, first_name: 'M' } });
    for (let i = 0; i < 3; i++) expect(await deliver(update)).toBe(200);
    const job = await api.request('POST', '/expenses/import', {
      raw: 'date,amount,category\n2026-11-01,1,imp\n2026-11-02,2,imp\n2026-11-31,3,imp\n2026-11-01,1,m\n',
      headers: { 'content-type': 'text/csv' },
    });
    for (let tries = 0; (await api.get(`/imports/${job.body.id}`)).body.state !== 'done'; tries++) {
      if (tries > 200) throw new Error('import did not finish');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const after = await scrape();
    const d = (sample: string) => delta(before, after, sample);
    expect(d('tally_expenses_recorded_total{source="api"}')).toBe(4);
    expect(d('tally_expenses_recorded_total{source="telegram"}')).toBe(1);
    expect(d('tally_expenses_recorded_total{source="import"}')).toBe(3);
    expect(d('tally_duplicates_total{layer="content"}')).toBe(2);
    expect(d('tally_duplicates_total{layer="idempotency_replay"}')).toBe(1);
    expect(d('tally_duplicates_total{layer="telegram_repeat"}')).toBe(2);
    expect(d('tally_import_rows_total{outcome="recorded"}')).toBe(3);
    expect(d('tally_import_rows_total{outcome="already_present"}')).toBe(0);
    expect(d('tally_import_rows_total{outcome="rejected"}')).toBe(1);
    // The replay answers 201 too (the first answer, replayed).
    expect(d('tally_http_requests_total{method="POST",route="/expenses",status="201"}')).toBe(5);
    expect(d('tally_http_requests_total{method="POST",route="/expenses",status="200"}')).toBe(2);
    expect(d('tally_http_requests_total{method="GET",route="/expenses/:id",status="200"}')).toBe(1);
    expect(d('tally_http_requests_total{method="GET",route="/expenses/:id",status="404"}')).toBe(1);
    expect(d('tally_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(d('tally_http_requests_total{method="POST",route="/telegram/webhook",status="200"}')).toBe(3);
    expect(d('tally_http_request_duration_seconds_count{method="POST",route="/expenses",status="201"}')).toBe(5);
    expect(d('tally_write_batch_size_count')).toBeGreaterThanOrEqual(5);
    expect(after.get('tally_process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect([...after.keys()].some((sample) => sample.includes(id))).toBe(false); // ids never become labels
  });

  it('Bot API failures are counted by method', async () => {
    const before = await scrape();
    fake.failNext('sendMessage', 1, { status: 400, description: 'Bad Request: chat not found' });
    const deliver = webhookPoster(() => t.url, SECRET);
    expect(await deliver(textUpdate('/help', { from: { id: 77002, first_name: 'F' } }))).toBe(200);
    const after = await scrape();
    expect(delta(before, after, 'tally_bot_api_failures_total{method="sendMessage"}')).toBe(1);
  });
});

describe('METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ metricsToken: 'scrape-secret' });
  });
  afterAll(() => t.close());

  it('is required as a bearer token when set', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('tally_http_requests_total');
  });
});
