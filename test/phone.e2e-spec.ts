/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startAppWithBot, TestApp } from './support/app';
import { launchChromium } from './support/browser';
import { CuttableLink, startCuttableLink } from './support/cuttable-link';
import { BOT_TOKEN, FakeTelegram } from './support/fake-telegram';
import { Client } from './support/http';
import { initData, launchFragment } from './support/mini-app';
import { ROOT } from './support/server-process';
import { ANN, BOB, GROUP_ID, textUpdate } from './support/updates';
import { webhookPoster } from './support/webhook';

/** Tally on a phone (docs/API.md §13): 390 × 844 in Chromium, inside Telegram as a Mini App and outside it. */
const ARTIFACTS = join(ROOT, 'test-artifacts');
const PHONE = { width: 390, height: 844 };
const SECRET = 'phone_secret';
const CAROL = { id: 44, first_name: 'Carol' };

let t: TestApp;
let fake: FakeTelegram;
let stop: () => Promise<void>;
let chromium: { browser: BrowserContext; close(): Promise<void> };
let deliver: (update: object) => Promise<number>;
/** The phone's connection to the app outside Telegram, which the offline cases cut. */
let link: CuttableLink;

beforeAll(async () => {
  ({ t, fake, stop } = await startAppWithBot(SECRET, 'sqlite', undefined, {
    miniApp: { publicUrl: 'https://tally.example/', shortName: 'tally', maxAgeSeconds: 3600 },
  }));
  deliver = webhookPoster(() => t.url, SECRET);
  chromium = await launchChromium();
  link = await startCuttableLink(t.url);
});
afterAll(async () => {
  await link?.close();
  await chromium?.close();
  await stop?.();
});

async function phonePage(): Promise<Page> {
  const page = await chromium.browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.setViewportSize(PHONE);
  return page;
}

const countIs = (page: Page, expected: number) =>
  page.waitForFunction((n) => document.getElementById('count')?.textContent === String(n), expected);

/** Every request the page makes, by URL. */
function watchUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

async function layoutProblems(page: Page): Promise<{ scrollWidth: number; small: string[] }> {
  return page.evaluate(() => {
    const small: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('button, input, select, a[href]'))) {
      const box = element.getBoundingClientRect();
      const visible = box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
      if (visible && (box.width < 44 || box.height < 44))
        small.push(
          `${element.tagName} ${element.id || element.textContent} ${Math.round(box.width)}×${Math.round(box.height)}`,
        );
    }
    return { scrollWidth: document.documentElement.scrollWidth, small };
  });
}

describe('inside Telegram (a Mini App) at 390 × 844', () => {
  it("opens signed in by Telegram, in Telegram's colours, with no token anywhere; lists and adds; every request same-origin", async () => {
    expect(await deliver(textUpdate('4.50 coffee flat white with oat milk', { from: ANN, chatId: ANN.id }))).toBe(200);
    const page = await phonePage();
    const urls = watchUrls(page);
    try {
      await page.goto(`${t.url}/${launchFragment(initData(BOT_TOKEN, { user: ANN }))}`);
      await page.locator('#rows tr', { hasText: 'flat white with oat milk' }).waitFor();
      expect(await page.locator('#sign-in').isHidden()).toBe(true);
      expect(await page.locator('#sign-out').isHidden()).toBe(true);
      expect(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes('token')))).toEqual([]);
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(14, 22, 33)'); // secondary_bg_color
      expect(await page.evaluate(() => getComputedStyle(document.querySelector('section')!).backgroundColor)).toBe(
        'rgb(23, 33, 43)',
      ); // bg_color
      expect(await page.locator('#add-button').evaluate((element) => getComputedStyle(element).backgroundColor)).toBe(
        'rgb(82, 136, 193)',
      ); // button_color

      await page.getByLabel('Amount').fill('2');
      await page.getByLabel('Category', { exact: true }).fill('snack');
      await page.getByLabel('Description').fill('from the phone');
      await page.getByRole('button', { name: 'Add expense' }).click();
      await page.getByText('Added 2.00 USD for snack').waitFor();
      await countIs(page, 2);
      const asAnn = await new Client(t.url).request('GET', '/expenses', {
        headers: { authorization: `tma ${initData(BOT_TOKEN, { user: ANN })}` },
      });
      expect(asAnn.body.items.map((expense: any) => [expense.description, expense.source])).toEqual([
        ['from the phone', 'web'],
        ['flat white with oat milk', 'telegram'],
      ]);

      const { scrollWidth, small } = await layoutProblems(page);
      expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
      expect(small).toEqual([]);
      expect(urls.filter((url) => !url.startsWith(`${t.url}/`))).toEqual([]);
      expect(urls.some((url) => url.endsWith('/vendor/tma/index.iife.js'))).toBe(true);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.locator('#summary-line').evaluate((element) => element.scrollIntoView());
      await page.screenshot({ path: join(ARTIFACTS, 'phone-telegram.png'), fullPage: false });
    } finally {
      await page.close();
    }
  });

  const cases: Array<[string, () => string, RegExp | string]> = [
    [
      'tampered init data',
      () => initData(BOT_TOKEN, { user: ANN }).replace('auth_date=', 'auth_date=1'),
      /Telegram could not confirm who you are/,
    ],
    [
      'init data too old',
      () => initData(BOT_TOKEN, { user: ANN, authDate: Math.floor(Date.now() / 1000) - 7200 }),
      /Telegram could not confirm who you are/,
    ],
    ['another user', () => initData(BOT_TOKEN, { user: BOB }), 'empty'],
  ];
  it.each(cases)("%s: the page says so or shows only that user's ledger", async (_name, data, expected) => {
    const page = await phonePage();
    try {
      await page.goto(`${t.url}/${launchFragment(data())}`);
      if (expected === 'empty') {
        await countIs(page, 0);
        expect(await page.locator('#rows tr').count()).toBe(0);
      } else {
        await page.locator('#banner', { hasText: expected }).waitFor();
        expect(await page.locator('#rows tr').count()).toBe(0);
      }
      expect(await page.locator('#sign-in').isHidden()).toBe(true);
    } finally {
      await page.close();
    }
  });

  it("a group member sees the group's ledger; a user who left is told so and sees nothing", async () => {
    fake.members.set(`${GROUP_ID}:${ANN.id}`, 'member');
    fake.members.set(`${GROUP_ID}:${CAROL.id}`, 'left');
    expect(await deliver(textUpdate('/add 30 pizza for the team', { from: ANN, chatId: GROUP_ID }))).toBe(200);
    expect(await deliver(textUpdate('/app', { from: ANN, chatId: GROUP_ID }))).toBe(200);
    const reply = await fake.waitFor(
      () => fake.lastMessageTo(GROUP_ID)?.payload.text.includes('startapp=') && fake.lastMessageTo(GROUP_ID)!.payload,
    );
    const ref = /startapp=([A-Za-z0-9_-]+)/.exec(reply.text)![1];

    const member = await phonePage();
    try {
      await member.goto(`${t.url}/${launchFragment(initData(BOT_TOKEN, { user: ANN, startParam: ref }))}`);
      await member.locator('#rows tr', { hasText: 'for the team' }).waitFor();
    } finally {
      await member.close();
    }
    const left = await phonePage();
    try {
      await left.goto(`${t.url}/${launchFragment(initData(BOT_TOKEN, { user: CAROL, startParam: ref }))}`);
      await left.locator('#banner', { hasText: 'not a member of this group' }).waitFor();
      expect(await left.locator('#rows tr').count()).toBe(0);
    } finally {
      await left.close();
    }
  });
});

describe('outside Telegram at 390 × 844', () => {
  let page: Page;
  let api: Client;
  let ledgers = 0;

  beforeEach(async () => {
    const token = await t.token(`phone-${++ledgers}`);
    api = new Client(t.url, token);
    page = await phonePage();
    await page.goto(`${link.url}/#token=${token}`);
    await page.getByRole('button', { name: 'Add expense' }).waitFor();
  });
  afterEach(async () => {
    await goOnline();
    await page?.close();
  });

  /**
   * No network: the link to the app is cut, so nothing the page or its
   * service worker sends can reach the server (Chromium's offline emulation
   * alone does not cover requests a service worker lets through), and the
   * browser is told it is offline (navigator.onLine, the "online" event on
   * the way back).
   */
  async function goOffline(): Promise<void> {
    link.cut();
    await chromium.browser.setOffline(true);
  }

  async function goOnline(): Promise<void> {
    link.restore();
    await chromium.browser.setOffline(false);
  }

  it('no sideways scroll, every expense shows date, amount, category and description, every control is at least 44 × 44', async () => {
    await api.post('/expenses', {
      amount: '1234.56',
      category: 'household-and-garden',
      description: 'A rather long description of a lawnmower bought on sale at the hardware store',
      date: '2026-11-20',
    });
    await api.post('/expenses', { amount: '3.20', category: 'coffee', description: 'espresso', date: '2026-11-21' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 2);
    const { scrollWidth, small } = await layoutProblems(page);
    expect(scrollWidth).toBeLessThanOrEqual(PHONE.width);
    expect(small).toEqual([]);
    for (const row of await page.locator('#rows tr').all()) {
      for (const part of ['td.date', 'td.amount', 'td.category', 'td.description']) {
        const cell = row.locator(part);
        expect(await cell.isVisible()).toBe(true);
        const box = (await cell.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      }
    }
    expect(
      await page.locator('#rows tr', { hasText: 'lawnmower bought on sale' }).locator('td.description').isVisible(),
    ).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'phone-browser.png'), fullPage: false });
  });

  it("follows the browser's light or dark scheme", async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await background()).toBe('rgb(246, 247, 249)');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(18, 21, 27)');
    await page.emulateMedia({ colorScheme: null });
  });

  it('offline: the add shows as pending, survives a reload, and is recorded once when the connection returns', async () => {
    // The page is kept for offline use once its service worker controls it.
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/expenses')
        posts.push(request.headers()['idempotency-key'] ?? '');
    });
    await goOffline();
    await page.getByLabel('Amount').fill('6.40');
    await page.getByLabel('Category', { exact: true }).fill('lunch');
    await page.getByLabel('Description').fill('typed in the lift');
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.locator('#pending li', { hasText: 'typed in the lift' }).waitFor();
    expect(await page.locator('#pending li').textContent()).toContain('Pending');

    // Reloaded with no network at all: the service worker's copy of the page opens, the add still waits.
    await page.reload();
    await page.locator('#pending li', { hasText: 'typed in the lift' }).waitFor();
    expect((await api.get('/expenses')).body.count).toBe(0);

    await goOnline();
    await page.locator('#pending li').waitFor({ state: 'detached', timeout: 15_000 });
    await page.locator('#rows tr', { hasText: 'typed in the lift' }).waitFor();
    expect((await api.get('/expenses')).body.items.map((expense: any) => expense.description)).toEqual([
      'typed in the lift',
    ]);
    // Every try carried the add's one key.
    expect(new Set(posts.filter(Boolean)).size).toBe(1);
  });

  it('a send that reached the server but lost its answer is sent again with its key and recorded once', async () => {
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/expenses')
        posts.push(request.headers()['idempotency-key'] ?? '');
    });
    let dropped = 0;
    await page.route('**/expenses', async (route) => {
      if (route.request().method() !== 'POST' || dropped > 0) return route.continue();
      dropped++;
      await route.fetch(); // the server records it…
      await route.abort('connectionreset'); // …and the phone never hears back
    });
    await page.getByLabel('Amount').fill('9.99');
    await page.getByLabel('Category', { exact: true }).fill('books');
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.locator('#pending li', { hasText: 'books' }).waitFor();
    expect((await api.get('/expenses')).body.count).toBe(1);
    // The connection "returns": the browser says so, and the page sends what waits.
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.locator('#pending li').waitFor({ state: 'detached' });
    await page.getByText('Added 9.99 USD for books').waitFor();
    await countIs(page, 1);
    expect((await api.get('/expenses')).body.count).toBe(1);
    expect(posts).toHaveLength(2);
    expect(posts[1]).toBe(posts[0]);
    await page.unroute('**/expenses');
  });
});
