import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startApp, TestApp } from '../support/app';

/**
 * A short leak check for every CI run (the soak's memory check needs five
 * minutes): the app runs in this process, and the heap after a full garbage
 * collection must not grow with the number of requests served. A leak of a
 * few hundred bytes per request shows as megabytes over the rounds below.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

const ROUND = 3_000;
const WORKERS = 8;
/** Growth allowed between two equal rounds: caches filling up, not per-request growth (a leak of 300 B a request, tried on purpose, grew 1.6 MB a round). */
const ALLOWED_GROWTH_MB = 1;

function heapAfterGcMb(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('memory', () => {
  let t: TestApp;
  let token: string;
  let n = 0;
  beforeAll(async () => {
    t = await startApp();
    token = await t.token('leak');
  });
  afterAll(() => t.close());

  /** One request of a mix: keyed and bare creates, a list, a summary, a delete, a 404. */
  async function step(): Promise<void> {
    const i = n++;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const body = JSON.stringify({
      amount: `${1 + (i % 500)}.${String(i % 100).padStart(2, '0')}`,
      category: `c${i % 20}`,
      description: `leak ${i}`,
    });
    let response: Response;
    switch (i % 6) {
      case 0:
        response = await fetch(`${t.url}/expenses`, {
          method: 'POST',
          headers: { ...auth, 'idempotency-key': `leak-${i}` },
          body,
        });
        break;
      case 1:
        response = await fetch(`${t.url}/expenses`, { method: 'POST', headers: auth, body });
        break;
      case 2:
        response = await fetch(`${t.url}/expenses?limit=20&category=c${i % 20}`, { headers: auth });
        break;
      case 3:
        response = await fetch(`${t.url}/expenses/summary`, { headers: auth });
        break;
      case 4: {
        const list = (await (await fetch(`${t.url}/expenses?limit=1`, { headers: auth })).json()) as {
          items: Array<{ id: string }>;
        };
        const id = list.items[0]?.id; // none yet when the first creates are still on their way
        response = await fetch(id ? `${t.url}/expenses/${id}` : `${t.url}/health`, {
          method: id ? 'DELETE' : 'GET',
          headers: auth,
        });
        break;
      }
      default:
        response = await fetch(`${t.url}/expenses/no-such-id-${i}`, { headers: auth });
    }
    await response.arrayBuffer();
    // A 404 is expected (case 5, and a delete another worker won); anything 5xx is not.
    if (response.status >= 500) throw new Error(`request ${i} answered ${response.status}`);
  }

  async function round(): Promise<void> {
    let left = ROUND;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        while (left-- > 0) await step();
      }),
    );
  }

  it(`the heap after GC does not grow with requests (${ROUND} a round)`, async () => {
    await round(); // warm-up: compiled code, prepared statements, caches
    const before = heapAfterGcMb();
    await round();
    const middle = heapAfterGcMb();
    await round();
    const after = heapAfterGcMb();
    console.log(
      `leak check: heap after GC ${before.toFixed(2)} → ${middle.toFixed(2)} → ${after.toFixed(2)} MB over ${2 * ROUND} requests`,
    );
    expect(after - middle).toBeLessThan(ALLOWED_GROWTH_MB);
  }, 120_000);
});
