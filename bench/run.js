'use strict';
// `npm run bench`: every scenario of issue 5 against a freshly started
// production build on a temporary database, each figure the median of RUNS.
// Writes bench/RESULTS.md. BENCH_SECONDS and BENCH_ROWS shorten a trial run.
const { cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { writeFileSync } = require('node:fs');
const Database = require('better-sqlite3');
const { ROOT, START_FLAGS, tempDb, startProcess, rssMb, createToken, load, median } = require('./lib');
const START_FLAGS_TEXT = START_FLAGS.join(' ') || 'none';
const { startFakeBotApi } = require('./fake-bot-api');
const { seed } = require('./seed');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const READ_SECONDS = Math.max(2, Math.round(SECONDS / 2));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const MAIN = join(ROOT, 'dist', 'main.js');
const BOT_TOKEN = '7000001:BENCH_token';
/** Unmeasured load before the measured runs of each fresh process, so the JIT has warmed up. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);

let counter = 0;
const distinctBody = () => JSON.stringify({ amount: `${1 + (counter % 9000)}.${String(counter % 100).padStart(2, '0')}`, category: 'bench', description: `item ${counter++}`, date: '2026-11-24' });

function createRequests(token, extraHeaders = {}, body = distinctBody) {
  return {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extraHeaders },
    requests: [{ method: 'POST', path: '/expenses', setupRequest: (request) => ({ ...request, body: body() }) }],
  };
}

async function tally(extraEnv = {}) {
  const databasePath = tempDb();
  const token = createToken(databasePath, 'bench');
  const server = await startProcess(MAIN, { DATABASE_URL: `sqlite:${databasePath}`, ...extraEnv });
  return { ...server, token, databasePath };
}

async function ceiling() {
  const databasePath = tempDb();
  createToken(databasePath, 'bench'); // migrates the same schema and makes ledger 1
  return startProcess(join(__dirname, 'ceiling.js'), { DATABASE_PATH: databasePath, LEDGER_ID: '1' });
}

async function createVsCeiling() {
  const creates = [];
  const ceilings = [];
  const idle = [];
  const loaded = [];
  const startup = [];
  for (let run = 0; run < RUNS; run++) {
    const app = await tally();
    startup.push(app.startupMs);
    idle.push(rssMb(app.child.pid));
    await load({ url: app.url, duration: WARMUP_SECONDS, ...createRequests(app.token) });
    creates.push(await load({ url: app.url, duration: SECONDS, ...createRequests(app.token) }));
    loaded.push(rssMb(app.child.pid));
    await app.stop();
    const bare = await ceiling();
    await load({ url: bare.url, duration: WARMUP_SECONDS, ...createRequests('none') });
    ceilings.push(await load({ url: bare.url, duration: SECONDS, ...createRequests('none') }));
    await bare.stop();
  }
  return { creates, ceilings, idle, loaded, startup };
}

async function retryStorm() {
  const app = await tally();
  await load({ url: app.url, duration: WARMUP_SECONDS, ...createRequests(app.token) });
  const same = JSON.stringify({ amount: '9.99', category: 'storm', date: '2026-11-24' });
  const duplicates = [];
  const replays = [];
  for (let run = 0; run < RUNS; run++) {
    duplicates.push(await load({ url: app.url, duration: SECONDS, ...createRequests(app.token, {}, () => same) }));
    replays.push(await load({ url: app.url, duration: SECONDS, ...createRequests(app.token, { 'idempotency-key': 'storm-key' }, () => same) }));
  }
  await app.stop();
  return { duplicates, replays };
}

async function webhook() {
  const botApi = await startFakeBotApi();
  const app = await tally({
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: botApi.url,
    TELEGRAM_WEBHOOK_URL: 'https://bench.example/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: 'bench_secret',
  });
  let updateId = 1;
  const runs = [];
  for (let run = -1; run < RUNS; run++) {
    if (run === -1) {
      await load({ url: app.url, duration: WARMUP_SECONDS, ...createRequests(app.token) });
      continue;
    }
    runs.push(
      await load({
        url: app.url,
        duration: SECONDS,
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'bench_secret' },
        requests: [
          {
            method: 'POST',
            path: '/telegram/webhook',
            setupRequest: (request) => {
              const id = updateId++;
              const text = `/add ${1 + (id % 5000)}.${String(id % 100).padStart(2, '0')} bench update ${id}`;
              const message = { message_id: id, date: 0, chat: { id: 1000 + (id % 50), type: 'private' }, from: { id: 1000 + (id % 50), is_bot: false, first_name: 'Bench' }, text, entities: [{ type: 'bot_command', offset: 0, length: 4 }] };
              return { ...request, body: JSON.stringify({ update_id: id, message }) };
            },
          },
        ],
      }),
    );
  }
  await app.stop();
  botApi.close();
  return runs;
}

async function readAtScale() {
  const databasePath = tempDb();
  const token = createToken(databasePath, 'big');
  const seeded = Date.now();
  seed(databasePath, 1, ROWS);
  const seedSeconds = (Date.now() - seeded) / 1000;
  const app = await startProcess(MAIN, { DATABASE_URL: `sqlite:${databasePath}` });
  const get = (path) => ({ headers: { authorization: `Bearer ${token}` }, requests: [{ method: 'GET', path }] });

  // The cursor of the 100th page, found by walking there once.
  let cursor = null;
  for (let page = 1; page < 100; page++) {
    const response = await fetch(`${app.url}/expenses?limit=50${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    cursor = (await response.json()).nextCursor;
  }
  const paths = {
    'list, first page': '/expenses?limit=50',
    'list, category': '/expenses?category=category-07&limit=50',
    'list, 100th page': `/expenses?limit=50&cursor=${cursor}`,
    'list, category and a month': '/expenses?category=category-07&from=2025-03-01&to=2025-03-31&limit=50',
    'summary, one year': '/expenses/summary?from=2025-01-01&to=2025-12-31',
  };
  const results = {};
  for (const path of Object.values(paths)) await load({ url: app.url, connections: 4, duration: 1, ...get(path) });
  for (const [name, path] of Object.entries(paths)) {
    results[name] = [];
    for (let run = 0; run < RUNS; run++) results[name].push(await load({ url: app.url, connections: 4, duration: READ_SECONDS, ...get(path) }));
  }
  // /total's query: the bot's totals for a year (the same service call, timed in-process by SQL).
  const db = new Database(databasePath, { readonly: true });
  const totalTimes = [];
  const hasRollup = db.prepare("select count(*) as n from sqlite_master where name = 'expense_day'").get().n > 0;
  const query = hasRollup
    ? db.prepare("select currency, sum(count) as n, cast(sum(total_minor) as text) as t from expense_day where ledger_id = 1 and category = '' and date between '2025-01-01' and '2025-12-31' group by currency")
    : db.prepare("select currency, count(*) as n, cast(sum(amount_minor) as text) as t from expense where ledger_id = 1 and deleted_at is null and date between '2025-01-01' and '2025-12-31' group by currency");
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    query.all();
    totalTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  db.close();
  await app.stop();
  return { results, seedSeconds, totalMs: median(totalTimes) };
}

const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const med = (runs, key) => median(runs.map((r) => r[key]));

async function main() {
  console.log(`bench: ${SECONDS}s per load run, ${RUNS} runs, ${ROWS} rows`);
  const pair = await createVsCeiling();
  console.log('create vs ceiling done');
  const storm = await retryStorm();
  console.log('retry storm done');
  const hooks = await webhook();
  console.log('webhook done');
  const reads = await readAtScale();
  console.log('reads done');

  const create = med(pair.creates, 'rps');
  const bare = med(pair.ceilings, 'rps');
  const rows = [
    ['create, requests/s (32 connections)', fmt(create), '', ''],
    ['ceiling (bare node:http + better-sqlite3), requests/s', fmt(bare), '', ''],
    ['create ÷ ceiling', fmt(create / bare, 2), '≥ 0.6 (aim > 1.0)', create / bare >= 0.6 ? 'met' : 'missed'],
    ['create p99, ms', fmt(med(pair.creates, 'p99'), 1), '< 25', med(pair.creates, 'p99') < 25 ? 'met' : 'missed'],
    ['duplicate storm, requests/s', fmt(med(storm.duplicates, 'rps')), '≥ create', med(storm.duplicates, 'rps') >= create ? 'met' : 'missed'],
    ['Idempotency-Key replay storm, requests/s', fmt(med(storm.replays, 'rps')), '≥ create', med(storm.replays, 'rps') >= create ? 'met' : 'missed'],
    ['webhook /add updates/s', fmt(med(hooks, 'rps')), `≥ ${fmt(0.5 * create)} (0.5 × create)`, med(hooks, 'rps') >= 0.5 * create ? 'met' : 'missed'],
  ];
  for (const [name, runs] of Object.entries(reads.results)) {
    const p99 = med(runs, 'p99');
    const target = name.startsWith('summary') ? 100 : 10;
    rows.push([`${name} at ${fmt(ROWS)} rows: p50 / p99 ms`, `${fmt(med(runs, 'p50'), 1)} / ${fmt(p99, 1)}`, `p99 < ${target}`, p99 < target ? 'met' : 'missed']);
  }
  rows.push([`/total's query for a year at ${fmt(ROWS)} rows, ms`, fmt(reads.totalMs, 2), '< 100', reads.totalMs < 100 ? 'met' : 'missed']);
  const loadedRss = median(pair.loaded);
  rows.push(['RSS idle / after create load, MB', `${fmt(median(pair.idle))} / ${fmt(loadedRss)}`, '< 200 after load', loadedRss < 200 ? 'met' : 'missed']);
  const startup = median(pair.startup);
  rows.push(['start-up to healthy /health, ms', fmt(startup), '< 3000', startup < 3000 ? 'met' : 'missed']);
  const errors = [...pair.creates, ...storm.duplicates, ...storm.replays, ...hooks].reduce((n, r) => n + r.errors + r.non2xx, 0);
  rows.push(['non-2xx or errors across all write runs', fmt(errors), '0', errors === 0 ? 'met' : 'missed']);

  const table = ['| figure | median | target | |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
  console.log(`\n${table}\n`);
  const report = `# Benchmark results

Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}.

Machine: ${cpus().length} cores (${cpus()[0].model}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}.
Each load run: autocannon on loopback, ${SECONDS} s, 32 connections for writes, 4 for reads; every figure
is the median of ${RUNS} runs, measured after ${WARMUP_SECONDS} s of unmeasured warm-up load on each fresh
process. Tally runs with the flags of \`npm start\` (${START_FLAGS_TEXT}). Create and ceiling runs alternate, each against a freshly started
process on a new temporary database. The read database was seeded in bulk with ${fmt(ROWS)}
expenses over 3 years, 50 categories and 3 currencies in ${fmt(reads.seedSeconds, 1)} s.

${table}

Per-run figures (requests/s): create ${pair.creates.map((r) => fmt(r.rps)).join(', ')}; ceiling ${pair.ceilings.map((r) => fmt(r.rps)).join(', ')}.

Where the time goes for any target missed: [PROFILES.md](PROFILES.md).
`;
  writeFileSync(join(__dirname, 'RESULTS.md'), report);
  console.log('wrote bench/RESULTS.md');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
