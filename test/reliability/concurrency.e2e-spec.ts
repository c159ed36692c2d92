import { startAppWithBot, TestApp } from '../support/app';
import type { FakeTelegram } from '../support/fake-telegram';
import { Client } from '../support/http';
import { textUpdate } from '../support/updates';
import { liveCountsByDescription } from '../support/database-file';
import { ENGINES } from '../support/engines';

describe.each(ENGINES)('%s', (engine) => {
  /** Waves of concurrent identical creates, same-key requests and duplicate webhook deliveries; exact counts after. */
  const WAVES = process.env.STRESS ? 10 : 2;
  const WIDTH = process.env.STRESS ? 300 : 150;
  const SECRET = 'concurrency_secret';

  let t: TestApp;
  let fake: FakeTelegram;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ t, fake, stop } = await startAppWithBot(SECRET, engine));
  });
  afterAll(() => stop());

  describe(`concurrency: ${WAVES} waves of ${WIDTH}`, () => {
    it('identical creates: one 201, the rest 200 with the same id', async () => {
      const api = new Client(t.url, await t.token('identical'));
      for (let wave = 0; wave < WAVES; wave++) {
        const body = { amount: `${wave + 1}.50`, category: 'wave', description: `identical ${wave}` };
        const answers = await Promise.all(Array.from({ length: WIDTH }, () => api.post('/expenses', body)));
        expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
        expect(answers.filter((a) => a.status === 200)).toHaveLength(WIDTH - 1);
        expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      }
      expect((await api.get('/expenses')).body.count).toBe(WAVES);
    });

    it('one Idempotency-Key per wave, allowDuplicate on: exactly one new expense a wave', async () => {
      const api = new Client(t.url, await t.token('same-key'));
      for (let wave = 0; wave < WAVES; wave++) {
        const body = { amount: '2.00', category: 'wave', allowDuplicate: true };
        const answers = await Promise.all(
          Array.from({ length: WIDTH }, () => api.post('/expenses', body, { 'Idempotency-Key': `wave-${wave}` })),
        );
        expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
        expect(answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') === null)).toHaveLength(
          1,
        );
      }
      expect((await api.get('/expenses')).body.count).toBe(WAVES);
    });

    it('duplicate webhook deliveries: one expense and one reply per update', async () => {
      for (let wave = 0; wave < WAVES; wave++) {
        const chatId = 80_000 + wave;
        const update = textUpdate(`/add 3 wave webhook ${wave}`, { from: { id: chatId, first_name: 'Wave' } });
        const statuses = await Promise.all(
          Array.from({ length: WIDTH }, () =>
            fetch(`${t.url}/telegram/webhook`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
              body: JSON.stringify(update),
            }).then((r) => r.status),
          ),
        );
        expect(statuses.every((s) => s === 200)).toBe(true);
        expect(fake.messagesTo(chatId)).toHaveLength(1);
      }
      const counts = await liveCountsByDescription(t.config.database, 'webhook ');
      expect(counts.size).toBe(WAVES);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    });
  });
});
