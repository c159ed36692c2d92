import { startAppWithBot, TestApp } from '../support/app';
import type { FakeTelegram } from '../support/fake-telegram';
import { textUpdate } from '../support/updates';
import { liveCountsByDescription } from '../support/database-file';

/**
 * The fake Bot API answers 429 with retry_after, 500s and slow responses for
 * a while. Every update is still recorded once, every webhook is answered in
 * time, and nothing keeps retrying afterwards.
 */
const SECRET = 'faults_secret';
const UPDATES = process.env.STRESS ? 60 : 20;

let t: TestApp;
let fake: FakeTelegram;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ t, fake, stop } = await startAppWithBot(SECRET));
});
afterAll(() => stop());

async function deliver(update: object): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${t.url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  await response.text();
  return { status: response.status, ms: Date.now() - started };
}

it.each([
  ['429 with retry_after', { status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 }],
  ['500', { status: 500, description: 'Internal Server Error' }],
  ['slow answers (a timeout)', { status: 502, description: 'Bad Gateway', delayMs: 2500 }],
])(
  'Bot API %s: each update recorded once, webhooks answered in time',
  async (name, fault) => {
    const prefix = `fault-${name.split(' ')[0]}-`;
    fake.failNext('sendMessage', UPDATES, fault);
    const updates = Array.from({ length: UPDATES }, (_, i) =>
      textUpdate(`/add ${i + 1} faults ${prefix}${i}`, { from: { id: 90_000 + i, first_name: 'F' } }),
    );
    const first = await Promise.all(updates.map(deliver));
    const retried = await Promise.all(updates.map(deliver)); // Telegram retrying, impatient
    for (const answer of [...first, ...retried]) {
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(12_000);
    }
    const counts = await liveCountsByDescription(t.config.database, prefix);
    expect(counts.size).toBe(UPDATES);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    fake.heal('sendMessage');
    console.log(
      `bot faults (${name}): ${UPDATES} updates delivered twice, ${UPDATES} recorded, ${fake.callsOf('sendMessage').length} sendMessage calls so far`,
    );
  },
  60_000,
);

it('Bot API hanging past its 8 s timeout and the 10 s webhook deadline while Telegram redelivers: one expense, at most one reply, answers within the deadline, then silence', async () => {
  const chat = 91_000;
  const update = textUpdate('/add 7.77 faults hang-once', { from: { id: chat, first_name: 'H' } });
  const sendsToChat = () => fake.callsOf('sendMessage').filter((call) => Number(call.chat_id) === chat).length;
  fake.failNext('sendMessage', 5, { status: 502, description: 'Bad Gateway', delayMs: 20_000 });
  const started = Date.now();
  try {
    // Telegram delivers, grows impatient and delivers again while the first is still being handled, then once more later.
    const first = deliver(update);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const second = deliver(update);
    const answers = [await first, await second, await deliver(update)];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(10_800); // the webhook deadline, with room for a loaded machine
    }
    expect([...(await liveCountsByDescription(t.config.database, 'hang-once')).values()]).toEqual([1]);
    // Past the Bot API timeout and any retry of it: the calls made so far are all there will be.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + 18_000 - Date.now())));
    const settled = fake.calls.length;
    expect(sendsToChat()).toBe(1); // the reply was tried once (it hung), never sent again
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(fake.calls.length).toBe(settled);
    console.log(
      `bot faults (hang): 3 deliveries answered in ${answers.map((a) => a.ms).join(', ')} ms, 1 expense, ${sendsToChat()} sendMessage to the chat`,
    );
  } finally {
    fake.heal('sendMessage');
  }
}, 60_000);

it('a reply slower than the 10 s webhook deadline: Telegram gets 200 at the deadline, the reply still goes out once', async () => {
  const chat = 92_000;
  const delivered = () =>
    fake.calls.filter((call) => call.method === 'sendMessage' && Number(call.payload.chat_id) === chat && call.result);
  // The reply: a 502 after 6 s, auto-retry's 3 s wait, then a success after 3 s: about 12 s in all.
  fake.failNext('sendMessage', 1, { status: 502, description: 'Bad Gateway', delayMs: 6_000 });
  fake.slowNext('sendMessage', 1, 3_000);
  const update = textUpdate('/add 6.66 faults past-deadline', { from: { id: chat, first_name: 'D' } });
  const answer = await deliver(update);
  expect(answer.status).toBe(200);
  expect(answer.ms).toBeGreaterThanOrEqual(9_900); // the deadline answered, not the finished handler
  expect(answer.ms).toBeLessThan(10_800);
  expect(delivered()).toHaveLength(0); // the reply is still on its way
  await fake.waitFor(() => delivered().length > 0, 8_000);
  expect([...(await liveCountsByDescription(t.config.database, 'past-deadline')).values()]).toEqual([1]);
  // Had Telegram delivered it again, nothing more would happen.
  expect((await deliver(update)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(delivered()).toHaveLength(1);
}, 60_000);
