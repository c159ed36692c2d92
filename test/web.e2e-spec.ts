/// <reference lib="dom" />
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app';
import { launchChromium } from './support/browser';
import { Client } from './support/http';
import { decodePng } from './support/png';
import { createToken, ROOT } from './support/server-process';

const ARTIFACTS = join(ROOT, 'test-artifacts');

let t: TestApp;
let chromium: { browser: BrowserContext; close(): Promise<void> };

beforeAll(async () => {
  t = await startApp();
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
  await t?.close();
});

let ledgers = 0;
/** A new tab signed in (by the URL fragment) to a ledger of its own: a test sees only what it did itself. */
async function signedIn(): Promise<{ page: Page; api: Client }> {
  const token = await t.token(`web-${++ledgers}`);
  const page = await chromium.browser.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${t.url}/#token=${token}`);
  await page.getByRole('button', { name: 'Add expense' }).waitFor();
  return { page, api: new Client(t.url, token) };
}

const countIs = (page: Page, expected: number) =>
  page.waitForFunction((n) => document.getElementById('count')?.textContent === String(n), expected);

async function fill(page: Page, fields: { amount: string; category: string; description?: string }) {
  await page.getByLabel('Amount').fill(fields.amount);
  await page.getByLabel('Category', { exact: true }).fill(fields.category);
  await page.getByLabel('Description').fill(fields.description ?? '');
}

/** The Idempotency-Key ('' when none) of every request with this method and path the page sends from now on. */
function watchRequests(page: Page, method: string, path: RegExp): string[] {
  const keys: string[] = [];
  page.on('request', (request) => {
    if (request.method() === method && path.test(new URL(request.url()).pathname))
      keys.push(request.headers()['idempotency-key'] ?? '');
  });
  return keys;
}

const watchPosts = (page: Page) => watchRequests(page, 'POST', /^\/expenses$/);

describe('the web page in Chromium', () => {
  let page: Page;
  let api: Client;
  beforeEach(async () => {
    ({ page, api } = await signedIn());
  });
  afterEach(() => page?.close());

  it('sends security headers and needs no inline script', async () => {
    const response = await fetch(t.url + '/');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await response.text()).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('signs in with a token from npm run token', async () => {
    const fresh = await chromium.browser.newPage();
    try {
      await fresh.goto(t.url + '/');
      await fresh.evaluate(() => localStorage.clear());
      await fresh.reload();
      await fresh.getByLabel('API token').fill(createToken({ DATABASE_URL: t.db.url }, 'web-cli'));
      await fresh.getByRole('button', { name: 'Sign in' }).click();
      await fresh.getByRole('button', { name: 'Add expense' }).waitFor();
      expect(await fresh.getByLabel('Date', { exact: true }).inputValue()).toMatch(/^\d{4}-\d\d-\d\d$/);
    } finally {
      await fresh.close();
    }
  });

  it('adds an expense', async () => {
    await fill(page, { amount: '12.50', category: 'food', description: 'Lunch' });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText('Added 12.50 USD for food').waitFor();
    await page.locator('#rows tr', { hasText: 'Lunch' }).waitFor();
    await countIs(page, 1);
    expect((await api.get('/expenses')).body.items).toMatchObject([
      { amount: '12.50', category: 'food', description: 'Lunch' },
    ]);
  });

  it('a double click on Add sends one request', async () => {
    const posts = watchPosts(page);
    await fill(page, { amount: '3.20', category: 'coffee' });
    await page.getByRole('button', { name: 'Add expense' }).dblclick();
    await page.getByText('Added 3.20 USD for coffee').waitFor();
    await countIs(page, 1);
    // The page's own guard stopped the second click: one request left the browser (the server would have deduplicated a second).
    expect(posts).toHaveLength(1);
  });

  it('a double click on "Record again" sends one request and records one more', async () => {
    await api.post('/expenses', { amount: '12.50', category: 'food', description: 'lunch' });
    const posts = watchPosts(page);
    await fill(page, { amount: '12.5', category: 'Food', description: 'lunch' });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText(/This expense is already recorded: 12.50 USD for food/).waitFor();
    await countIs(page, 1);
    await page.getByRole('button', { name: 'Record again' }).dblclick();
    await page.getByText(/Recorded again: 12.50 USD/).waitFor();
    await countIs(page, 2);
    expect((await api.get('/expenses')).body.count).toBe(2);
    // The first POST was answered "already recorded"; the offer sent one allowDuplicate POST with a key of its own.
    expect(posts).toHaveLength(2);
    expect(posts[1]).not.toBe(posts[0]);
  });

  it('an add whose answer was lost waits as pending and, sent again after a refresh, records once', async () => {
    await fill(page, { amount: '8.80', category: 'books' });
    const posts = watchPosts(page);
    // The server records it, but the browser never sees the answer.
    await page.route('**/expenses', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fetch();
      await route.abort('connectionreset');
    });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.locator('#pending li', { hasText: '8.80 · books' }).waitFor();
    await page.getByText('No connection: the expense is saved on this device').waitFor();
    await page.unroute('**/expenses');
    expect((await api.get('/expenses')).body.count).toBe(1);
    await page.reload();
    await page.getByText('Added 8.80 USD for books').waitFor();
    await countIs(page, 1);
    expect(await page.locator('#pending li').count()).toBe(0);
    // Both tries carried the same key: the second was the first's answer, replayed.
    expect(posts).toHaveLength(2);
    expect(posts[1]).toBe(posts[0]);
  });

  it('shows validation errors next to the field', async () => {
    await fill(page, { amount: '12.345', category: 'food' });
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.locator('#amount-error', { hasText: 'amount must have at most 2 decimal places for USD' }).waitFor();
    expect(await page.getByLabel('Amount').getAttribute('aria-invalid')).toBe('true');
    expect((await api.get('/expenses')).body.count).toBe(0);
  });

  it('filters by category and shows the total of what matches', async () => {
    for (const body of [
      { amount: '12.50', category: 'food', description: 'Lunch' },
      { amount: '12.50', category: 'Food', description: 'lunch', allowDuplicate: true },
      { amount: '3.20', category: 'coffee' },
      { amount: '8.80', category: 'books', date: '2001-01-01' },
    ]) {
      expect((await api.post('/expenses', body)).status).toBe(201);
    }
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 4);
    await page.getByLabel('Filter by category').fill('FOOD');
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 2);
    expect(await page.locator('#total').textContent()).toBe('25.00 USD');
    expect(await page.locator('#rows tr').count()).toBe(2);
    await page.getByLabel('Filter by category').fill('');
    await page.getByLabel('From', { exact: true }).fill('2001-01-01');
    await page.getByLabel('To', { exact: true }).fill('2001-12-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 1);
    expect(await page.locator('#total').textContent()).toBe('8.80 USD');
  });

  it('pages through more than one page', async () => {
    for (let i = 1; i <= 26; i++) await api.post('/expenses', { amount: `${i}`, category: 'bulk', date: '2026-01-01' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 26);
    expect(await page.locator('#rows tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Show more' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#rows tr').length === 26);
    expect(await page.getByRole('button', { name: 'Show more' }).isHidden()).toBe(true);
    const ids = await page
      .locator('#rows tr')
      .evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(26);
  });

  it('deletes with a confirmation and can undo', async () => {
    for (const amount of ['1', '2', '3'])
      await api.post('/expenses', { amount, category: 'del', date: `2026-01-0${amount}` });
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 3);
    const first = page.locator('#rows tr').first();
    expect(await first.textContent()).toContain('3.00');
    await first.getByRole('button', { name: /^Delete / }).click();
    await first.getByRole('button', { name: 'Keep' }).click();
    expect((await api.get('/expenses')).body.count).toBe(3);
    await page
      .locator('#rows tr')
      .first()
      .getByRole('button', { name: /^Delete / })
      .click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await countIs(page, 2);
    expect((await api.get('/expenses')).body.items.map((e: any) => e.amount)).toEqual(['2.00', '1.00']);
    expect(await page.locator('#rows tr').first().textContent()).toContain('2.00');
    await page.getByRole('button', { name: 'Undo' }).click();
    await countIs(page, 3);
    expect((await api.get('/expenses')).body.items.map((e: any) => e.amount)).toEqual(['3.00', '2.00', '1.00']);
  });

  it('draws the per-category chart and downloads the CSV of what the list shows', async () => {
    for (const category of ['bulk', 'food', 'coffee', 'books']) await api.post('/expenses', { amount: '2', category });
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 4);
    await page.waitForFunction(() => (window as any).Chart?.getChart('chart')?.data.labels.length === 4);
    const labels = await page.evaluate(() => (window as any).Chart.getChart('chart').data.labels);
    expect([...labels].sort()).toEqual(['books', 'bulk', 'coffee', 'food']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('expenses.csv');
    const csv = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv).toHaveLength(5);
    expect(
      csv
        .slice(1)
        .map((line) => line.split(',')[4])
        .sort(),
    ).toEqual(['books', 'bulk', 'coffee', 'food']);
  });

  it('keeps a screenshot of a filled-in page as an artifact', async () => {
    for (const [amount, category] of [
      ['12.50', 'food'],
      ['3.20', 'coffee'],
      ['8.80', 'books'],
    ])
      await api.post('/expenses', { amount, category });
    await page.getByRole('button', { name: 'Apply' }).click();
    await countIs(page, 3);
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'web-page.png');
    await page.screenshot({ path: file, fullPage: true });
    const png = await decodePng(readFileSync(file));
    expect(png.width).toBe(1100);
    expect(png.height).toBeGreaterThanOrEqual(900);
    expect(png.inked).toBeGreaterThan(50_000); // the form, the three rows and the chart, not a blank page
  });

  it('says so when the API is unreachable', async () => {
    await page.route('**/expenses?*', (route) => route.abort('connectionrefused'));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Cannot reach Tally').waitFor();
    await page.unroute('**/expenses?*');
  });

  it('takes the token from the URL fragment, and a rejected token signs out clearly', async () => {
    expect(page.url()).toBe(`${t.url}/`);
    await page.evaluate(() => localStorage.setItem('tally.token', 'tally_' + 'x'.repeat(43)));
    await page.reload();
    await page.getByText('Your token was rejected').waitFor();
    await page.getByLabel('API token').waitFor();
  });
});

describe('editing in place in Chromium', () => {
  let editPage: Page;
  let api: Client;
  let patches: string[] = [];

  beforeAll(async () => {
    const editToken = createToken({ DATABASE_URL: t.db.url }, 'web-edit-test');
    api = new Client(t.url, editToken);
    await api.post('/expenses', { amount: '12.50', category: 'food', description: 'Lunch', date: '2026-11-20' });
    await api.post('/expenses', { amount: '4.00', category: 'coffee', date: '2026-11-19' });
    editPage = await chromium.browser.newPage();
    editPage.setDefaultTimeout(10_000);
    patches = watchRequests(editPage, 'PATCH', /^\/expenses\//);
    await editPage.goto(`${t.url}/#token=${editToken}`);
    await editPage.locator('#rows tr', { hasText: 'Lunch' }).waitFor();
  });
  afterAll(() => editPage?.close());

  const row = (text: string) => editPage.locator('#rows tr', { hasText: text });
  const editor = () => editPage.locator('#rows tr.editing');
  const field = (label: string) => editor().getByLabel(`${label} of the expense being edited`);

  it('Edit, change, double-click Save: one PATCH request, the row and the total show the change', async () => {
    await row('Lunch')
      .getByRole('button', { name: /^Edit / })
      .click();
    expect(await field('Amount').inputValue()).toBe('12.50');
    await field('Amount').fill('13.75');
    await field('Description').fill('Dinner');
    mkdirSync(ARTIFACTS, { recursive: true });
    await editPage.screenshot({ path: join(ARTIFACTS, 'web-edit.png') });
    patches.length = 0;
    await editor().getByRole('button', { name: 'Save' }).dblclick();
    await editPage.getByText('Saved 13.75 USD for food').waitFor();
    await row('Dinner').waitFor();
    // The page's own guard, not the server, stopped the second click: only one PATCH left the browser.
    expect(patches).toHaveLength(1);
    expect(await editPage.locator('#total').textContent()).toBe('17.75 USD');
    expect(await editPage.locator('#count').textContent()).toBe('2');
    const listed = (await api.get('/expenses')).body.items.find((e: any) => e.description === 'Dinner');
    expect(listed).toMatchObject({ amount: '13.75', source: 'api', updatedAt: expect.any(String) });
    const history = (await api.get(`/expenses/${listed.id}/history`)).body.items;
    expect(history).toEqual([
      {
        at: expect.any(String),
        source: 'web',
        changes: { amount: { from: '12.50', to: '13.75' }, description: { from: 'Lunch', to: 'Dinner' } },
      },
    ]);
  });

  it("an edit into another expense's details is refused until Keep both is pressed", async () => {
    await row('coffee')
      .getByRole('button', { name: /^Edit / })
      .click();
    await field('Amount').fill('13.75');
    await field('Category').fill('food');
    await field('Description').fill('dinner');
    await field('Date').fill('2026-11-20');
    await editor().getByRole('button', { name: 'Save' }).click();
    await editor().getByText('Another expense already has exactly these details.').waitFor();
    expect((await api.get('/expenses')).body.total).toEqual({ USD: '17.75' });
    await editor().getByRole('button', { name: 'Keep both' }).click();
    await editPage.getByText('Saved 13.75 USD for food').waitFor();
    await editPage.waitForFunction(() => document.getElementById('total')?.textContent === '27.50 USD');
    expect(await editPage.locator('#rows tr', { hasText: 'food' }).count()).toBe(2);
  });

  it('a change made elsewhere meanwhile is not overwritten: the current values come back to check', async () => {
    const target = (await api.get('/expenses')).body.items[0];
    await editPage
      .locator(`#rows tr[data-id="${target.id}"]`)
      .getByRole('button', { name: /^Edit / })
      .click();
    await field('Amount').waitFor(); // the editor has read the expense and its ETag
    expect((await api.patch(`/expenses/${target.id}`, { amount: '1.11' })).status).toBe(200);
    await field('Amount').fill('2.22');
    await editor().getByRole('button', { name: 'Save' }).click();
    await editor().getByText('This expense was changed elsewhere meanwhile').waitFor();
    expect(await field('Amount').inputValue()).toBe('1.11');
    expect((await api.get(`/expenses/${target.id}`)).body.amount).toBe('1.11');
    await field('Amount').fill('2.22');
    await editor().getByRole('button', { name: 'Save' }).click();
    await editPage.getByText('Saved 2.22 USD').waitFor();
    expect((await api.get(`/expenses/${target.id}`)).body.amount).toBe('2.22');
  });
});

describe('importing a CSV in Chromium', () => {
  let importPage: Page;
  let posts: string[] = [];

  beforeAll(async () => {
    const importToken = createToken({ DATABASE_URL: t.db.url }, 'web-import-test');
    importPage = await chromium.browser.newPage();
    importPage.setDefaultTimeout(10_000);
    posts = watchRequests(importPage, 'POST', /^\/expenses\/import$/);
    await importPage.goto(`${t.url}/#token=${importToken}`);
    await importPage.getByRole('button', { name: 'Import CSV' }).waitFor();
  });
  afterAll(() => importPage?.close());

  it('shows progress and the summary, lists rejected lines, and a second import of the file records nothing', async () => {
    const dir = join(ARTIFACTS, 'import');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'bank.csv');
    writeFileSync(
      file,
      'Date;Amount;Category;Description\n24.11.2026;12,50;Food;Lunch\n25.11.2026;3;Coffee;\n31.11.2026;1;bad;\n',
    );
    await importPage.getByLabel('CSV file').setInputFiles(file);
    await importPage.getByLabel('Decimal mark').selectOption(',');
    await importPage.getByLabel('Dates').selectOption('DD.MM.YYYY');
    await importPage.getByLabel('Separator').selectOption(';');
    await importPage.getByRole('button', { name: 'Import CSV' }).dblclick();
    await importPage.getByText('Imported bank.csv: rows 3, recorded 2, already present 0, rejected 1.').waitFor();
    expect(posts).toHaveLength(1);
    expect(await importPage.locator('#import-rejected li').allTextContents()).toEqual([
      'line 4: date must be a real calendar date written DD.MM.YYYY, got "31.11.2026"',
    ]);
    expect(await importPage.locator('#import-progress').getAttribute('value')).toBe('100');
    await importPage.waitForFunction(() => document.getElementById('count')?.textContent === '2');
    expect(await importPage.locator('#total').textContent()).toBe('15.50 USD');
    mkdirSync(ARTIFACTS, { recursive: true });
    await importPage
      .locator('section', { hasText: 'Import a CSV' })
      .screenshot({ path: join(ARTIFACTS, 'web-import.png') });

    await importPage.getByRole('button', { name: 'Import CSV' }).click();
    await importPage.getByText('Imported bank.csv: rows 3, recorded 0, already present 2, rejected 1.').waitFor();
    expect(await importPage.locator('#count').textContent()).toBe('2');
  });

  it('says why a file is refused', async () => {
    const file = join(ARTIFACTS, 'import', 'wrong.csv');
    writeFileSync(file, 'when,how much\n2026-11-01,5\n');
    await importPage.getByLabel('CSV file').setInputFiles(file);
    await importPage.getByRole('button', { name: 'Import CSV' }).click();
    await importPage.getByText(/^Not imported: the header must name the columns date, amount, category/).waitFor();
  });
});

describe('budgets in Chromium', () => {
  let budgetPage: Page;
  let rest: Client;

  beforeAll(async () => {
    const budgetToken = createToken({ DATABASE_URL: t.db.url }, 'web-budget-test');
    rest = new Client(t.url, budgetToken);
    budgetPage = await chromium.browser.newPage();
    budgetPage.setDefaultTimeout(10_000);
    await budgetPage.goto(`${t.url}/#token=${budgetToken}`);
    await budgetPage.getByRole('button', { name: 'Set budget' }).waitFor();
  });
  afterAll(() => budgetPage?.close());

  it("sets a budget, shows this month's spending as a bar that follows new expenses, explains a bad limit and removes it", async () => {
    const today = (await rest.post('/expenses', { amount: '30', category: 'food' })).body.date as string;
    await budgetPage.getByLabel('Category (* for all)').fill('food');
    await budgetPage.getByLabel('Monthly limit').fill('12.345');
    await budgetPage.getByRole('button', { name: 'Set budget' }).click();
    await budgetPage.getByText('amount must have at most 2 decimal places for USD').waitFor();
    expect((await rest.get('/budgets')).body.items).toEqual([]);

    await budgetPage.getByLabel('Monthly limit').fill('120');
    await budgetPage.getByRole('button', { name: 'Set budget' }).click();
    const row = budgetPage.locator('#budgets li[data-category="food"]');
    await row.getByText('25% · 30.00 of 120.00 USD').waitFor();
    expect(await budgetPage.locator('#budgets-month').textContent()).toBe(today.slice(0, 7));
    expect(await row.locator('progress').getAttribute('value')).toBe('25');

    await budgetPage.getByLabel('Amount').fill('100');
    await budgetPage.getByLabel('Category', { exact: true }).fill('food');
    await budgetPage.getByLabel('Description').fill('party');
    await budgetPage.getByRole('button', { name: 'Add expense' }).click();
    await row.getByText('108% · 130.00 of 120.00 USD').waitFor();
    expect(await row.getAttribute('class')).toBe('over');
    expect(await row.locator('progress').getAttribute('value')).toBe('100');

    await row.getByRole('button', { name: 'Remove' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await rest.get('/budgets')).body.items).toEqual([]);
  });
});
