'use strict';
// `npm run bench` (and `npm run bench:import`): a 1,000,000-row CSV imported
// through a running Tally (POST /expenses/import, then GET /imports/:id until
// done) on SQLite, its rows/s and the server's peak RSS; the same file a
// second time; and, in the same run, a bare baseline: csv-parse straight into
// better-sqlite3 with the same batches, index and durability, no server.
// Writes bench/RESULTS-import.md. BENCH_IMPORT_ROWS shortens a trial run.
const { createReadStream, createWriteStream, readFileSync, statSync, writeFileSync } = require('node:fs');
const { cpus, totalmem } = require('node:os');
const { dirname, join } = require('node:path');
const { createHash } = require('node:crypto');
const Database = require('better-sqlite3');
const { parse } = require('csv-parse');
const { ROOT, START_FLAGS, tempDb, startProcess, createToken, median, sleep, revision } = require('./lib');
/** Read when the run starts: a commit made while it runs must not be named as its source. */
const REVISION = revision();

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MAIN = join(ROOT, 'dist', 'main.js');

/** 1,000,000 rows over 3 years, 50 categories, 3 currencies, every 20th row an intentional duplicate. */
async function writeCsv(path) {
  const out = createWriteStream(path);
  out.write('date,amount,currency,category,description\n');
  for (let i = 0; i < ROWS; i++) {
    const n = i % 20 === 19 ? i - 1 : i;
    const date = new Date(Date.UTC(2024, 0, 1) + (n % 1095) * 86_400_000).toISOString().slice(0, 10);
    const currency = ['USD', 'EUR', 'JPY'][n % 3];
    const amount = currency === 'JPY' ? `${100 + (n % 9000)}` : `${1 + (n % 900)}.${String(n % 100).padStart(2, '0')}`;
    if (
      !out.write(`${date},${amount},${currency},category-${String(n % 50).padStart(2, '0')},"item ${n}, imported"\n`)
    ) {
      await new Promise((resolve) => out.once('drain', resolve));
    }
  }
  await new Promise((resolve) => out.end(resolve));
}

/** Peak resident memory of a running process so far (VmHWM), in MB. */
function peakRssMb(pid) {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

async function importThroughTally(app, token, file) {
  const started = process.hrtime.bigint();
  const response = await fetch(`${app.url}/expenses/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: createReadStream(file),
    duplex: 'half',
  });
  const job = await response.json();
  if (response.status !== 202) throw new Error(`import refused: ${JSON.stringify(job)}`);
  let state = job;
  while (state.state === 'running') {
    await sleep(100);
    state = await (
      await fetch(`${app.url}/imports/${job.id}`, { headers: { authorization: `Bearer ${token}` } })
    ).json();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (state.state !== 'done') throw new Error(`import failed: ${state.error}`);
  return {
    seconds,
    rowsPerSecond: ROWS / seconds,
    recorded: state.recorded,
    alreadyPresent: state.alreadyPresent,
    peakMb: peakRssMb(app.child.pid),
  };
}

/** The baseline: the same parser into the same table and index, 2,000 rows a transaction, nothing else. */
async function importBare(file) {
  const path = tempDb();
  createToken(path, 'bench'); // the same schema, migrated by Tally
  const db = new Database(path);
  for (const pragma of ['journal_mode = WAL', 'synchronous = FULL']) db.pragma(pragma);
  const insert =
    db.prepare(`insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
    values (?, 1, ?, ?, ?, ?, ?, 'import', ?, 1, ?, ?) on conflict do nothing`);
  const commit = db.transaction((rows) => {
    for (const row of rows) insert.run(...row);
  });
  const started = process.hrtime.bigint();
  let batch = [];
  let number = 0;
  const parser = createReadStream(file).pipe(parse({ from_line: 2 }));
  for await (const [date, amount, currency, category, description] of parser) {
    const minor = Math.round(Number(amount) * (currency === 'JPY' ? 1 : 100));
    const key = createHash('sha256')
      .update(JSON.stringify([1, minor, currency, category, description, date]))
      .digest('base64url');
    batch.push([`b${++number}`, minor, currency, category, description, date, key, '2026-01-01T00:00:00.000Z', number]);
    if (batch.length === 2000) {
      commit(batch);
      batch = [];
    }
  }
  commit(batch);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  db.close();
  return { seconds, rowsPerSecond: ROWS / seconds };
}

async function main() {
  const file = join(dirname(tempDb()), 'import.csv');
  await writeCsv(file);
  const size = statSync(file).size;
  const first = [];
  const second = [];
  const bare = [];
  for (let run = 0; run < RUNS; run++) {
    const path = tempDb();
    const token = createToken(path, 'bench');
    const app = await startProcess(MAIN, { DATABASE_URL: `sqlite:${path}` });
    try {
      first.push(await importThroughTally(app, token, file));
      second.push(await importThroughTally(app, token, file));
    } finally {
      await app.stop();
    }
    bare.push(await importBare(file));
    console.log(
      `run ${run + 1}: first ${Math.round(first.at(-1).rowsPerSecond)} rows/s, again ${Math.round(second.at(-1).rowsPerSecond)} rows/s, bare ${Math.round(bare.at(-1).rowsPerSecond)} rows/s, peak RSS ${Math.round(second.at(-1).peakMb)} MB`,
    );
  }
  const m = (list, key) => median(list.map((item) => item[key]));
  const firstRate = m(first, 'rowsPerSecond');
  const secondRate = m(second, 'rowsPerSecond');
  const bareRate = m(bare, 'rowsPerSecond');
  const peak = m(second, 'peakMb');
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const met = (ok) => (ok ? 'met' : 'missed');
  const expectedNew = first[0].recorded;
  const lines = [
    '# Benchmark results, CSV import',
    '',
    `Produced by \`npm run bench\` (bench/import.js) on ${new Date().toISOString().slice(0, 10)} from commit ${REVISION}.`,
    '',
    `Machine: ${cpus().length} cores (${cpus()[0].model.split(' ').slice(0, 2).join(' ')}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}.`,
    `A ${ROWS.toLocaleString('en-US')}-row CSV (${(size / 2 ** 20).toFixed(1)} MiB; 3 years, 50 categories, 3 currencies, every 20th row an identical copy of the one before)`,
    `posted to a running Tally (\`npm start\`'s flags: ${START_FLAGS.join(' ') || 'none'}) on a fresh SQLite file, timed from the POST until GET /imports/:id says done;`,
    'then the same file again into the same ledger. The baseline, in the same run: csv-parse straight into better-sqlite3, the same table,',
    'unique index, WAL and synchronous=FULL, 2,000 rows a transaction, no server, no checks. Medians of ' +
      `${RUNS} runs.`,
    '',
    '| figure | median | target | |',
    '| --- | --- | --- | --- |',
    `| first import, rows/s | ${fmt(firstRate)} | ≥ 20,000 | ${met(firstRate >= 20_000)} |`,
    `| baseline (bare csv-parse + better-sqlite3), rows/s | ${fmt(bareRate)} |  |  |`,
    `| first import ÷ baseline | ${(firstRate / bareRate).toFixed(2)} |  |  |`,
    `| same file again, rows/s | ${fmt(secondRate)} | ≥ first | ${met(secondRate >= firstRate)} |`,
    `| same file again, new rows | ${second.map((s) => s.recorded).join(', ')} | 0 | ${met(second.every((s) => s.recorded === 0))} |`,
    `| rows recorded by the first import (identical copies included) | ${fmt(expectedNew)} | ${fmt(ROWS)} | ${met(first.every((f) => f.recorded === ROWS))} |`,
    `| server peak RSS (VmHWM) after both imports, MB | ${Math.round(peak)} | < 250 | ${met(peak < 250)} |`,
    '',
    `Per-run figures (rows/s): first ${first.map((f) => fmt(f.rowsPerSecond)).join(', ')}; again ${second.map((s) => fmt(s.rowsPerSecond)).join(', ')}; baseline ${bare.map((b) => fmt(b.rowsPerSecond)).join(', ')}.`,
    '',
  ];
  writeFileSync(join(__dirname, 'RESULTS-import.md'), lines.join('\n'));
  console.log(lines.join('\n'));
  console.log('wrote bench/RESULTS-import.md');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
