'use strict';
// `npm run bench`, PostgreSQL part: Tally with one and with two instances on
// one database beside a bare node:http + pg ceiling with the same work and
// group commit, all on a throw-away PostgreSQL cluster started here (durable:
// fsync on), then reads at BENCH_ROWS rows. Writes bench/RESULTS-postgresql.md.
const { cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { writeFileSync } = require('node:fs');
const { Client } = require('pg');
const { ROOT, START_FLAGS, startProcess, createToken, load, median, revision } = require('./lib');
/** Read when the run starts: a commit made while it runs must not be named as its source. */
const REVISION = revision();
const { startPostgres } = require('../test/support/postgres-cluster');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const READ_SECONDS = Math.max(2, Math.round(SECONDS / 2));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
const MAIN = join(ROOT, 'dist', 'main.js');

let counter = 0;
const distinctBody = () =>
  JSON.stringify({ amount: `${1 + (counter % 9000)}.${String(counter % 100).padStart(2, '0')}`, category: `bench-${counter % 7}`, description: `item ${counter++}`, date: '2026-11-24' });
const creates = (token) => ({
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  requests: [{ method: 'POST', path: '/expenses', setupRequest: (request) => ({ ...request, body: distinctBody() }) }],
});

async function sql(url, text) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

let databases = 0;
async function freshDatabase(cluster) {
  const name = `bench_${++databases}`;
  await sql(cluster.adminUrl, `create database ${name}`);
  return cluster.adminUrl.replace(/\/postgres$/, `/${name}`);
}

/** Load on several servers at once; requests/s summed, latency of the slowest. */
async function loadAll(urls, token, seconds, connections = 32) {
  const results = await Promise.all(urls.map((url) => load({ url, duration: seconds, connections: connections / urls.length, ...creates(token) })));
  return {
    rps: results.reduce((n, r) => n + r.rps, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    non2xx: results.reduce((n, r) => n + r.non2xx, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
  };
}

async function writes(cluster) {
  const one = [];
  const two = [];
  const bare = [];
  for (let run = 0; run < RUNS; run++) {
    for (const [instances, into] of [[1, one], [2, two]]) {
      const url = await freshDatabase(cluster);
      const token = createToken(url, 'bench');
      const servers = await Promise.all(Array.from({ length: instances }, () => startProcess(MAIN, { DATABASE_URL: url })));
      await loadAll(servers.map((s) => s.url), token, WARMUP_SECONDS);
      into.push(await loadAll(servers.map((s) => s.url), token, SECONDS));
      await Promise.all(servers.map((s) => s.stop()));
    }
    const url = await freshDatabase(cluster);
    createToken(url, 'bench'); // migrates the same schema and makes ledger 1
    const ceiling = await startProcess(join(__dirname, 'ceiling-postgres.js'), { DATABASE_URL: url, LEDGER_ID: '1' });
    await loadAll([ceiling.url], 'none', WARMUP_SECONDS);
    bare.push(await loadAll([ceiling.url], 'none', SECONDS));
    await ceiling.stop();
  }
  return { one, two, bare };
}

/** Seeds ROWS expenses of ledger 1 over 3 years, 50 categories, 3 currencies, and their daily totals, in SQL. */
async function seed(url) {
  await sql(
    url,
    `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
     select 'seed' || lpad(i::text, 12, '0'), 1, 100 + (i * 7919) % 100000, (array['USD','EUR','JPY'])[1 + i % 3],
            'category-' || lpad(((i * 31) % 50)::text, 2, '0'), 'item ' || i,
            to_char(date '2024-01-01' + ((i * 17) % 1095)::int, 'YYYY-MM-DD'), 'api', md5(i::text), 1, '2024-01-01T00:00:00.000Z', i
     from generate_series(1::bigint, ${ROWS}) as i`,
  );
  await sql(url, `insert into expense_day select ledger_id, category, date, currency, count(*), sum(amount_minor) from expense group by 1, 2, 3, 4`);
  await sql(url, `insert into expense_day select ledger_id, '', date, currency, count(*), sum(amount_minor) from expense group by 1, 3, 4`);
  await sql(url, `insert into expense_month select ledger_id, category, substr(date, 1, 7), currency, sum(count), sum(total_minor) from expense_day group by 1, 2, 3, 4`);
  await sql(url, `update ledger set last_number = ${ROWS} where id = 1`);
  await sql(url, 'vacuum analyze');
}

async function reads(cluster) {
  const url = await freshDatabase(cluster);
  const token = createToken(url, 'big');
  const seeded = Date.now();
  await seed(url);
  const seedSeconds = (Date.now() - seeded) / 1000;
  // The cursor the list hands out after the expense half-way down the ledger (the codec of src/expenses/cursor.ts).
  const [middle] = await sql(url, `select date, seq from expense where ledger_id = 1 and deleted_at is null order by date desc, seq desc limit 1 offset ${Math.floor(ROWS / 2)}`);
  const halfWay = Buffer.from(`${middle.date}.${middle.seq}`, 'utf8').toString('base64url');
  const app = await startProcess(MAIN, { DATABASE_URL: url });
  const get = (path) => ({ headers: { authorization: `Bearer ${token}` }, requests: [{ method: 'GET', path }] });
  const paths = {
    'list, first page': '/expenses?limit=50',
    'list, category': '/expenses?category=category-07&limit=50',
    'list, a page half-way down': `/expenses?limit=50&cursor=${halfWay}`,
    'list, category and a month': '/expenses?category=category-07&from=2025-03-01&to=2025-03-31&limit=50',
    'summary, one year': '/expenses/summary?from=2025-01-01&to=2025-12-31',
  };
  const results = {};
  for (const path of Object.values(paths)) await load({ url: app.url, connections: 4, duration: 1, ...get(path) });
  for (const [name, path] of Object.entries(paths)) {
    results[name] = [];
    for (let run = 0; run < RUNS; run++) results[name].push(await load({ url: app.url, connections: 4, duration: READ_SECONDS, ...get(path) }));
  }
  await app.stop();
  return { results, seedSeconds };
}

const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const med = (runs, key) => median(runs.map((r) => r[key]));

async function main() {
  console.log(`bench postgresql: ${SECONDS}s per load run, ${RUNS} runs, ${ROWS} rows`);
  const cluster = await startPostgres({ durable: true });
  try {
    const w = await writes(cluster);
    console.log('writes done');
    const r = await reads(cluster);
    console.log('reads done');
    const one = med(w.one, 'rps');
    const two = med(w.two, 'rps');
    const bare = med(w.bare, 'rps');
    const rows = [
      ['create, one instance, requests/s (32 connections)', fmt(one), '', ''],
      ['create, two instances on one database, requests/s (16 + 16 connections)', fmt(two), '≥ 1.5 × one', two >= 1.5 * one ? 'met' : 'missed'],
      ['two ÷ one', fmt(two / one, 2), '≥ 1.5', two / one >= 1.5 ? 'met' : 'missed'],
      ['ceiling (bare node:http + pg, group commit, same work), requests/s', fmt(bare), '', ''],
      ['one instance ÷ ceiling', fmt(one / bare, 2), '≥ 0.5', one / bare >= 0.5 ? 'met' : 'missed'],
      ['create p99, one / two instances, ms', `${fmt(med(w.one, 'p99'), 1)} / ${fmt(med(w.two, 'p99'), 1)}`, '', ''],
    ];
    for (const [name, runs] of Object.entries(r.results)) {
      const p99 = med(runs, 'p99');
      const target = name.startsWith('summary') ? 50 : 10;
      rows.push([`${name} at ${fmt(ROWS)} rows: p50 / p99 ms`, `${fmt(med(runs, 'p50'), 1)} / ${fmt(p99, 1)}`, `p99 < ${target}`, p99 < target ? 'met' : 'missed']);
    }
    const table = ['| figure | median | target | |', '| --- | --- | --- | --- |', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
    console.log(`\n${table}\n`);
    writeFileSync(
      join(__dirname, 'RESULTS-postgresql.md'),
      `# Benchmark results, PostgreSQL

Produced by \`npm run bench\` (bench/postgres.js) on ${new Date().toISOString().slice(0, 10)} from commit ${REVISION}.

Machine: ${cpus().length} cores (${cpus()[0].model}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}.
PostgreSQL: a cluster started for the run on the same machine (fsync on, default settings otherwise).
Each load run: autocannon on loopback, ${SECONDS} s; writes 32 connections in all (split evenly over the
instances), reads 4; every figure the median of ${RUNS} runs after ${WARMUP_SECONDS} s of warm-up, each
write run on a new database. Tally runs with the flags of \`npm start\` (${START_FLAGS.join(' ') || 'none'}).
The read database was seeded in SQL with ${fmt(ROWS)} expenses over 3 years, 50 categories and
3 currencies in ${fmt(r.seedSeconds, 1)} s. Server, instances and load generator share the same ${cpus().length} cores.
Any non-2xx answer, error or timeout in any run, warm-ups included, stops the bench.

${table}

Per-run figures (requests/s): one ${w.one.map((x) => fmt(x.rps)).join(', ')}; two ${w.two.map((x) => fmt(x.rps)).join(', ')}; ceiling ${w.bare.map((x) => fmt(x.rps)).join(', ')}.
`,
    );
    console.log('wrote bench/RESULTS-postgresql.md');
  } finally {
    cluster.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
