/// <reference lib="dom" />
import type { BrowserContext } from 'playwright-core';
import { startApp, TestApp } from './support/app';
import { launchChromium } from './support/browser';
import { Client } from './support/http';

/**
 * The page served over plain HTTP on a home-network host name (CONTRACT §10):
 * Chromium resolves tally.home to 127.0.0.1, as a hosts entry would.
 */
describe('the web page over plain HTTP on another host name', () => {
  let t: TestApp;
  let proxied: TestApp;
  let chromium: { browser: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    t = await startApp();
    proxied = await startApp({ trustProxy: true });
    chromium = await launchChromium(['--host-resolver-rules=MAP tally.home 127.0.0.1']);
  });
  afterAll(async () => {
    await chromium?.close();
    await t?.close();
    await proxied?.close();
  });

  it('loads at http://tally.home:PORT/ and adds an expense', async () => {
    const token = await t.token('home');
    const port = new URL(t.url).port;
    const page = await chromium.browser.newPage();
    page.setDefaultTimeout(10_000);
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`http://tally.home:${port}/#token=${token}`);
    await page.getByLabel('Amount').fill('4.20');
    await page.getByLabel('Category', { exact: true }).fill('coffee');
    await page.getByRole('button', { name: 'Add expense' }).click();
    await page.getByText('Added 4.20 USD for coffee').waitFor();
    // The stylesheet and scripts came over http, not an upgraded https that does not exist.
    expect(await page.evaluate(() => getComputedStyle(document.body).margin)).toBe('0px');
    expect(await page.evaluate(() => typeof (window as unknown as { Chart?: unknown }).Chart)).toBe('function');
    expect(failed).toEqual([]);
    expect((await new Client(t.url, token).get('/expenses')).body.total).toEqual({ USD: '4.20' });
    await page.close();
  });

  it('serves Chart.js’s browser build (GET and HEAD) and no other file of its package', async () => {
    const script = await fetch(`${t.url}/vendor/chart/chart.umd.min.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('Chart');
    expect((await fetch(`${t.url}/vendor/chart/chart.umd.min.js`, { method: 'HEAD' })).status).toBe(200);
    for (const path of ['chart.umd.js', 'chart.cjs', 'helpers.js', '%2e%2e/package.json', '']) {
      expect([path, (await fetch(`${t.url}/vendor/chart/${path}`)).status]).toEqual([path, 404]);
    }
  });

  it('every response carries the security headers: the page, an API answer, a refusal, a bad request, an unknown route', async () => {
    const token = await t.token('headers');
    const auth = { authorization: `Bearer ${token}` };
    const responses = [
      await fetch(`${t.url}/`),
      await fetch(`${t.url}/expenses`, { headers: auth }),
      await fetch(`${t.url}/expenses`),
      await fetch(`${t.url}/expenses`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"amount":"x"}',
      }),
      await fetch(`${t.url}/no-such-route`),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 200, 401, 400, 404]);
    for (const response of responses) {
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it('no upgrade-insecure-requests and no HSTS over HTTP; HSTS over HTTPS behind a trusted proxy only', async () => {
    const plain = await fetch(`${t.url}/`);
    expect(plain.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
    // Without TRUST_PROXY a client cannot claim HTTPS by a header.
    const claimed = await fetch(`${t.url}/`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(claimed.headers.get('strict-transport-security')).toBeNull();
    const https = await fetch(`${proxied.url}/`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(https.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    const http = await fetch(`${proxied.url}/`, { headers: { 'X-Forwarded-Proto': 'http' } });
    expect(http.headers.get('strict-transport-security')).toBeNull();
  });
});
