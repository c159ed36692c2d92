import { request } from 'node:http';
import { Client } from './support/http';
import { startApp, TestApp } from './support/app';
import { ENGINES } from './support/engines';

describe.each(ENGINES)('%s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ idempotencyTtlHours: 24 }, engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function freshLedger(): Promise<Client> {
    return new Client(t.url, await t.token(`idem-${Math.random()}`));
  }

  const body = { amount: '4.20', category: 'coffee', date: '2026-11-10' };

  describe('Idempotency-Key', () => {
    it('replays the first response with Idempotent-Replayed: true', async () => {
      const c = await freshLedger();
      const first = await c.post('/expenses', body, { 'Idempotency-Key': 'order-1' });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const replay = await c.post('/expenses', body, { 'Idempotency-Key': 'order-1' });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(replay.body).toEqual(first.body);
      expect((await c.get('/expenses')).body.count).toBe(1);
    });

    it('a replay of allowDuplicate does not record another', async () => {
      const c = await freshLedger();
      await c.post('/expenses', body);
      const dup = { ...body, allowDuplicate: true };
      const first = await c.post('/expenses', dup, { 'Idempotency-Key': 'again-1' });
      const replay = await c.post('/expenses', dup, { 'Idempotency-Key': 'again-1' });
      expect([first.status, replay.status]).toEqual([201, 201]);
      expect(replay.body.id).toBe(first.body.id);
      expect((await c.get('/expenses')).body.count).toBe(2);
    });

    it('the same key with a different body is 422 and records nothing', async () => {
      const c = await freshLedger();
      await c.post('/expenses', body, { 'Idempotency-Key': 'k' });
      const other = await c.post('/expenses', { ...body, amount: '5' }, { 'Idempotency-Key': 'k' });
      expect(other.status).toBe(422);
      expect(other.body.message).toMatch(/Idempotency-Key/);
      expect((await c.get('/expenses')).body.count).toBe(1);
    });

    it('a body the request schema refuses is 400 naming the field, with a used key too, and neither stores nor replaces the first answer', async () => {
      const c = await freshLedger();
      const first = await c.post('/expenses', body, { 'Idempotency-Key': 'checked' });
      const invalid = await c.post('/expenses', { ...body, colour: 'red' }, { 'Idempotency-Key': 'checked' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.message).toMatch(/colour/);
      const fresh = await c.post('/expenses', { ...body, amount: 'twelve' }, { 'Idempotency-Key': 'never-stored' });
      expect(fresh.status).toBe(400);
      expect(fresh.body.message).toMatch(/amount/);
      // The invalid request stored nothing under its key: a valid one with that key now runs.
      expect((await c.post('/expenses', { ...body, amount: '7' }, { 'Idempotency-Key': 'never-stored' })).status).toBe(
        201,
      );
      const replay = await c.post('/expenses', body, { 'Idempotency-Key': 'checked' });
      expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body.id]).toEqual([
        201,
        'true',
        first.body.id,
      ]);
      expect((await c.get('/expenses')).body.count).toBe(2);
    });

    it('key order in the JSON body does not matter', async () => {
      const c = await freshLedger();
      const first = await c.post('/expenses', { amount: '1', category: 'a' }, { 'Idempotency-Key': 'order' });
      const second = await c.post('/expenses', { category: 'a', amount: '1' }, { 'Idempotency-Key': 'order' });
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body.id).toBe(first.body.id);
    });

    it('keys are scoped to the ledger', async () => {
      const a = await freshLedger();
      const b = await freshLedger();
      const fromA = await a.post('/expenses', body, { 'Idempotency-Key': 'shared' });
      const fromB = await b.post('/expenses', { ...body, amount: '9' }, { 'Idempotency-Key': 'shared' });
      expect(fromB.status).toBe(201);
      expect(fromB.headers.get('idempotent-replayed')).toBeNull();
      expect(fromB.body.id).not.toBe(fromA.body.id);
    });

    it('malformed keys are 400', async () => {
      const c = await freshLedger();
      const token = c.token!;
      // node:http sends header bytes as given (fetch would refuse some before they left): every key reaches the server.
      const keys = ['x'.repeat(256), 'tab\there', Buffer.from('caf\u00e9').toString('latin1')];
      const answers = await Promise.all(keys.map((key) => postWithKey(t.url, token, key, JSON.stringify(body))));
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400]);
      for (const answer of answers) expect(answer.body.message).toMatch(/Idempotency-Key/);
      expect((await c.get('/expenses')).body.count).toBe(0);
    });

    it('validation failures are not stored: the same key works once the body is fixed', async () => {
      const c = await freshLedger();
      const bad = await c.post('/expenses', { ...body, amount: '4.201' }, { 'Idempotency-Key': 'fix-me' });
      expect(bad.status).toBe(400);
      const good = await c.post('/expenses', { ...body, amount: '4.21' }, { 'Idempotency-Key': 'fix-me' });
      expect(good.status).toBe(201);
      expect(good.headers.get('idempotent-replayed')).toBeNull();
    });

    it('a duplicate answered 200 replays as 200', async () => {
      const c = await freshLedger();
      await c.post('/expenses', body);
      const dup = await c.post('/expenses', body, { 'Idempotency-Key': 'dup' });
      const replay = await c.post('/expenses', body, { 'Idempotency-Key': 'dup' });
      expect([dup.status, replay.status]).toEqual([200, 200]);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    });

    it('works for DELETE: 204 replayed, not 404', async () => {
      const c = await freshLedger();
      const made = await c.post('/expenses', body);
      const first = await c.delete(`/expenses/${made.body.id}`, { 'Idempotency-Key': 'del-1' });
      const again = await c.delete(`/expenses/${made.body.id}`, { 'Idempotency-Key': 'del-1' });
      expect([first.status, again.status]).toEqual([204, 204]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await c.delete(`/expenses/${made.body.id}`)).status).toBe(404);
    });

    it('concurrent requests with one key record once; the others are replays or 409', async () => {
      const c = await freshLedger();
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          c.post('/expenses', { ...body, allowDuplicate: true }, { 'Idempotency-Key': 'burst' }),
        ),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      const fresh = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null);
      expect(fresh).toHaveLength(1);
      for (const conflict of answers.filter((a) => a.status === 409))
        expect(conflict.body.message).toMatch(/still being processed/);
      expect((await c.get('/expenses')).body.count).toBe(1);
      const after = await c.post('/expenses', { ...body, allowDuplicate: true }, { 'Idempotency-Key': 'burst' });
      expect(after.body.id).toBe(fresh[0].body.id);
    });

    it('concurrent retries of a finished request are all replays, never 409', async () => {
      const c = await freshLedger();
      const first = await c.post('/expenses', body, { 'Idempotency-Key': 'done-then-burst' });
      expect(first.status).toBe(201);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => c.post('/expenses', body, { 'Idempotency-Key': 'done-then-burst' })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      for (const answer of answers) {
        expect(answer.headers.get('idempotent-replayed')).toBe('true');
        expect(answer.body).toEqual(first.body);
      }
      expect((await c.get('/expenses')).body.count).toBe(1);
    });
  });

  describe('Idempotency-Key expiry', () => {
    it('an expired key is forgotten and purged', async () => {
      const short = await startApp({ idempotencyTtlHours: 0.5 / 3600 }, engine); // half a second
      try {
        const c = new Client(short.url, await short.token());
        const first = await c.post('/expenses', body, { 'Idempotency-Key': 'ttl' });
        await new Promise((resolve) => setTimeout(resolve, 700));
        const later = await c.post('/expenses', { ...body, amount: '1' }, { 'Idempotency-Key': 'ttl' });
        expect(first.status).toBe(201);
        expect(later.status).toBe(201);
        expect(later.headers.get('idempotent-replayed')).toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 700));
        const { IdempotencyService } = await import('../src/idempotency/idempotency.service');
        expect(await short.app.get(IdempotencyService).purgeExpired()).toBe(1);
      } finally {
        await short.close();
      }
    });
  });
});

/** A POST with the key's bytes exactly as given: node:http refuses only control characters other than tab. */
function postWithKey(url: string, token: string, key: string, json: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/expenses`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(json);
  });
}
