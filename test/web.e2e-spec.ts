/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app';
import { launchChromium } from './support/browser';
import { Client } from './support/http';
import { createToken, ROOT } from './support/server-process';

const ARTIFACTS = join(ROOT, 'test-artifacts');

let t: TestApp;
let chromium: { browser: BrowserContext; close(): Promise<void> };
let token: string;
let page: Page;

beforeAll(async () => {
  t = await startApp();
  chromium = await launchChromium();
  token = createToken({ DATABASE_URL: t.db.url }, 'web-test');
  page = await chromium.browser.newPage();
  page.setDefaultTimeout(10_000);
});
afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

const count = () => page.locator('#count').textContent();
const rowCount = () => page.locator('#rows tr').count();

async function add(fields: { amount: string; category: string; description?: string }) {
  await page.getByLabel('Amount').fill(fields.amount);
  await page.getByLabel('Category', { exact: true }).fill(fields.category);
  await page.getByLabel('Description').fill(fields.description ?? '');
}

describe('the web page in Chromium', () => {
  it('sends security headers and needs no inline script', async () => {
    const response = await fetch(t.url + '/');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await response.text()).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('signs in with a token from npm run token', async () => {
    await page.goto(t.url + '/');
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Add expense' }).waitFor();
    expect(await page.getByLabel('Date', { exact: true }).inputValue()).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('adds an expense', async () => {
    await add({ amount: '12.50', category: 'food', description: 'Lunch' });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText('Added 12.50 USD for food').waitFor();
    await page.locator('#rows tr', { hasText: 'Lunch' }).waitFor();
    expect(await count()).toBe('1');
  });

  it('records once on a double click', async () => {
    await add({ amount: '3.20', category: 'coffee' });
    await page.getByRole('button', { name: 'Add expense' }).dblclick();
    await page.getByText('Added 3.20 USD for coffee').waitFor();
    await page.waitForTimeout(300);
    expect(await count()).toBe('2');
    expect(await page.locator('#rows tr', { hasText: 'coffee' }).count()).toBe(1);
  });

  it('shows "already recorded" and records again only on purpose', async () => {
    await add({ amount: '12.5', category: 'Food', description: 'lunch' });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText(/This expense is already recorded: 12.50 USD for food/).waitFor();
    expect(await count()).toBe('2');
    await page.getByRole('button', { name: 'Record again' }).click();
    await page.getByText(/Recorded again: 12.50 USD/).waitFor();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '3');
  });

  it('a refresh and resubmit after a lost answer records once', async () => {
    await add({ amount: '8.80', category: 'books' });
    // The server records it, but the browser never sees the answer.
    await page.route('**/expenses', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText('Cannot reach Tally').waitFor();
    await page.unroute('**/expenses');
    await page.reload();
    expect(await page.getByLabel('Amount').inputValue()).toBe('8.80');
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText('Added 8.80 USD for books').waitFor();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '4');
  });

  it('shows validation errors next to the field', async () => {
    await add({ amount: '12.345', category: 'food' });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.locator('#amount-error', { hasText: 'amount must have at most 2 decimal places for USD' }).waitFor();
    expect(await page.getByLabel('Amount').getAttribute('aria-invalid')).toBe('true');
    expect(await count()).toBe('4');
  });

  it('filters by category and shows the total of what matches', async () => {
    await page.getByLabel('Filter by category').fill('FOOD');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '2');
    expect(await page.locator('#total').textContent()).toBe('25.00 USD');
    expect(await rowCount()).toBe(2);
    await page.getByLabel('From', { exact: true }).fill('2000-01-01');
    await page.getByLabel('To', { exact: true }).fill('2000-12-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '0');
    await page.getByLabel('From', { exact: true }).fill('');
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('Filter by category').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '4');
  });

  it('pages through more than one page', async () => {
    const api = new Client(t.url, token);
    for (let i = 1; i <= 22; i++) await api.post('/expenses', { amount: `${i}`, category: 'bulk', date: '2026-01-01' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '26');
    expect(await rowCount()).toBe(20);
    await page.getByRole('button', { name: 'Show more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 26);
    expect(await page.getByRole('button', { name: 'Show more' }).isHidden()).toBe(true);
    const ids = await page.locator('#rows tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(26);
  });

  it('deletes with a confirmation and can undo', async () => {
    const first = page.locator('#rows tr').first();
    const text = await first.textContent();
    await first.getByRole('button', { name: /^Delete / }).click();
    await first.getByRole('button', { name: 'Keep' }).click();
    expect(await count()).toBe('26');
    await page.locator('#rows tr').first().getByRole('button', { name: /^Delete / }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '25');
    expect(await page.locator('#rows tr').first().textContent()).not.toBe(text);
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.waitForFunction(() => document.getElementById('count')?.textContent === '26');
  });

  it('draws the per-category chart and downloads the CSV', async () => {
    await page.waitForFunction(() => (window as unknown as { Chart?: { getChart(id: string): unknown } }).Chart?.getChart('chart'));
    const labels = await page.evaluate(() => (window as any).Chart.getChart('chart').data.labels);
    expect(labels).toEqual(expect.arrayContaining(['bulk', 'food', 'coffee', 'books']));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('expenses.csv');
  });

  it('keeps a screenshot as an artifact', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'web-page.png'), fullPage: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, 'web-page-top.png') });
  });

  it('says so when the API is unreachable', async () => {
    await page.route('**/expenses?*', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Cannot reach Tally').waitFor();
    await page.unroute('**/expenses?*');
  });

  it('takes the token from the URL fragment, and a rejected token signs out clearly', async () => {
    const other = await chromium.browser.newPage();
    await other.goto(`${t.url}/#token=${token}`);
    await other.getByRole('button', { name: 'Add expense' }).waitFor();
    expect(other.url()).toBe(`${t.url}/`);
    await other.evaluate(() => localStorage.setItem('tally.token', 'tally_' + 'x'.repeat(43)));
    await other.reload();
    await other.getByText('Your token was rejected').waitFor();
    await other.getByLabel('API token').waitFor();
    await other.close();
  });
});
