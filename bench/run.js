'use strict';
// `npm run bench`: every scenario of issue 5 against a freshly started
// production build on a temporary database, each figure the median of RUNS.
// Writes bench/RESULTS.md. BENCH_SECONDS and BENCH_ROWS shorten a trial run.
const { cpus, totalmem } = require('node:os');
const { join } = require('node:path');
const { writeFileSync } = require('node:fs');
const Database = require('better-sqlite3');
const { ROOT, START_FLAGS, tempDb, startProcess, rssMb, createToken, load, median, revision } = require('./lib');
/** Read when the run starts: a commit made while it runs must not be named as its source. */
const REVISION = revision();
const START_FLAGS_TEXT = START_FLAGS.join(' ') || 'none';
const { startFakeBotApi } = require('./fake-bot-api');
const { seed } = require('./seed');
const { createRequests, duplicateRequests, replayRequests, webhookRequests, getRequests } = require('./requests');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const READ_SECONDS = Math.max(2, Math.round(SECONDS / 2));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const MAIN = join(ROOT, 'dist', 'main.js');
const BOT_TOKEN = '7000001:BENCH_token';
const WEBHOOK_SECRET = 'bench_secret';
/** Unmeasured load before the measured runs of each fresh process, so the JIT has warmed up. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);

async function tally(extraEnv = {}) {
  const databasePath = tempDb();
  const token = createToken(databasePath, 'bench');
  const server = await startProcess(MAIN, { DATABASE_URL: `sqlite:${databasePath}`, ...extraEnv });
  return { ...server, token, databasePath };
}

/** A bare server (bench/ceiling.js) on a fresh database; commit is 'group' or 'request'. */
async function ceiling(commit, extraEnv = {}) {
  const databasePath = tempDb();
  createToken(databasePath, 'bench'); // migrates the same schema and makes ledger 1
  return startProcess(join(__dirname, 'ceiling.js'), {
    DATABASE_PATH: databasePath,
    LEDGER_ID: '1',
    CEILING_COMMIT: commit,
    ...extraEnv,
  });
}

/** Tally's write batches so far (its /metrics): how many COMMITs, and how many writes they held. */
async function writeBatches(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pick = (name) => Number(new RegExp(`^tally_write_batch_size_${name} (\\S+)$`, 'm').exec(text)[1]);
  return { commits: pick('count'), writes: pick('sum') };
}

/** Warm-up load, then the measured run, on a fresh process; for Tally also the writes per COMMIT in the measured run. */
async function measureCreates(server, token, isTally = false) {
  await load({ url: server.url, duration: WARMUP_SECONDS, ...createRequests(token) });
  const before = isTally && (await writeBatches(server.url));
  const result = await load({ url: server.url, duration: SECONDS, ...createRequests(token) });
  if (!isTally) return result;
  const after = await writeBatches(server.url);
  return { ...result, writesPerCommit: (after.writes - before.writes) / (after.commits - before.commits) };
}

async function createVsCeiling() {
  const creates = [];
  const groupCeilings = [];
  const requestCeilings = [];
  const idle = [];
  const loaded = [];
  const startup = [];
  for (let run = 0; run < RUNS; run++) {
    const app = await tally();
    startup.push(app.startupMs);
    idle.push(rssMb(app.child.pid));
    creates.push(await measureCreates(app, app.token, true));
    loaded.push(rssMb(app.child.pid));
    await app.stop();
    for (const [commit, runs] of [
      ['group', groupCeilings],
      ['request', requestCeilings],
    ]) {
      const bare = await ceiling(commit);
      runs.push(await measureCreates(bare, 'none'));
      await bare.stop();
    }
  }
  return { creates, groupCeilings, requestCeilings, idle, loaded, startup };
}

/**
 * The storms and the webhook are compared with creates measured on the same
 * process in the same round, just before: the host's speed drifts by a third
 * between phases minutes apart, which a comparison with the first phase's
 * creates would count as a difference between the scenarios.
 */
async function retryStorm() {
  const app = await tally();
  await load({ url: app.url, duration: WARMUP_SECONDS, ...createRequests(app.token) });
  const creates = [];
  const duplicates = [];
  const replays = [];
  for (let run = 0; run < RUNS; run++) {
    creates.push(await load({ url: app.url, duration: SECONDS, ...createRequests(app.token) }));
    duplicates.push(await load({ url: app.url, duration: SECONDS, ...duplicateRequests(app.token) }));
    replays.push(await load({ url: app.url, duration: SECONDS, ...replayRequests(app.token) }));
  }
  await app.stop();
  return { creates, duplicates, replays };
}

/**
 * Tally's webhook and the group-commit ceiling's (bench/ceiling.js doing the
 * same /add), each process with its creates measured in the same round: an
 * update costs a create plus a Bot API call and a COMMIT spread over 50 chat
 * ledgers, so the ceiling's own webhook ÷ create shows what this host allows.
 */
async function webhook() {
  const botApi = await startFakeBotApi();
  const app = await tally({
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: botApi.url,
    TELEGRAM_WEBHOOK_URL: 'https://bench.example/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
  });
  const bare = await ceiling('group', { BOT_API_ROOT: botApi.url, BOT_TOKEN, WEBHOOK_SECRET });
  const servers = [
    { server: app, token: app.token, creates: [], hooks: [] },
    { server: bare, token: 'none', creates: [], hooks: [] },
  ];
  for (const { server, token } of servers) {
    await load({ url: server.url, duration: WARMUP_SECONDS, ...createRequests(token) });
    await load({ url: server.url, duration: WARMUP_SECONDS, ...webhookRequests(WEBHOOK_SECRET) });
  }
  for (let run = 0; run < RUNS; run++) {
    for (const { server, token, creates, hooks } of servers) {
      creates.push(await load({ url: server.url, duration: SECONDS, ...createRequests(token) }));
      hooks.push(await load({ url: server.url, duration: SECONDS, ...webhookRequests(WEBHOOK_SECRET) }));
    }
  }
  await app.stop();
  await bare.stop();
  botApi.close();
  const [tallyRuns, bareRuns] = servers;
  return {
    creates: tallyRuns.creates,
    hooks: tallyRuns.hooks,
    bareCreates: bareRuns.creates,
    bareHooks: bareRuns.hooks,
  };
}

/** Each round's figure divided by the same round's figure of `bases` (mostly the creates just before it on the same process); the median of those. */
const pairedRatio = (runs, bases) => median(runs.map((run, i) => run.rps / bases[i].rps));

/** The cursor the list would hand out after the expense half-way down the ledger (the codec of src/expenses/cursor.ts). */
function halfWayCursor(databasePath, rows) {
  const db = new Database(databasePath, { readonly: true });
  try {
    const row = db
      .prepare(
        'select date, seq from expense where ledger_id = 1 and deleted_at is null order by date desc, seq desc limit 1 offset ?',
      )
      .get(Math.floor(rows / 2));
    return Buffer.from(`${row.date}.${row.seq}`, 'utf8').toString('base64url');
  } finally {
    db.close();
  }
}

async function readAtScale() {
  const databasePath = tempDb();
  const token = createToken(databasePath, 'big');
  const seeded = Date.now();
  seed(databasePath, 1, ROWS);
  const seedSeconds = (Date.now() - seeded) / 1000;
  const app = await startProcess(MAIN, { DATABASE_URL: `sqlite:${databasePath}` });
  const get = (path) => getRequests(token, path);

  // The cursor of the 100th page, found by walking there once.
  let cursor = null;
  for (let page = 1; page < 100; page++) {
    const response = await fetch(`${app.url}/expenses?limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`walking to the 100th page: ${response.status} ${await response.text()}`);
    cursor = (await response.json()).nextCursor;
  }
  const paths = {
    'list, first page': '/expenses?limit=50',
    'list, category': '/expenses?category=category-07&limit=50',
    'list, 100th page': `/expenses?limit=50&cursor=${cursor}`,
    'list, a page half-way down': `/expenses?limit=50&cursor=${halfWayCursor(databasePath, ROWS)}`,
    'list, category and a month': '/expenses?category=category-07&from=2025-03-01&to=2025-03-31&limit=50',
    'summary, one year': '/expenses/summary?from=2025-01-01&to=2025-12-31',
  };
  const results = {};
  for (const path of Object.values(paths)) await load({ url: app.url, connections: 4, duration: 1, ...get(path) });
  for (const [name, path] of Object.entries(paths)) {
    results[name] = [];
    for (let run = 0; run < RUNS; run++)
      results[name].push(await load({ url: app.url, connections: 4, duration: READ_SECONDS, ...get(path) }));
  }
  // /total's query: the bot's totals for a year (the same service call, timed in-process by SQL).
  const db = new Database(databasePath, { readonly: true });
  const totalTimes = [];
  // A whole year is 12 monthly rows per currency (src/expenses/totals.repository.ts rangeParts).
  const query = db.prepare(
    "select currency, sum(count) as n, cast(sum(total_minor) as text) as t from expense_month where ledger_id = 1 and category = '' and month between '2025-01' and '2025-12' group by currency",
  );
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    query.all();
    totalTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  db.close();
  await app.stop();
  return { results, seedSeconds, totalMs: median(totalTimes) };
}

const fmt = (n, digits = 0) =>
  Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
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
  const bare = med(pair.groupCeilings, 'rps');
  const perRequest = med(pair.requestCeilings, 'rps');
  const createP99 = med(pair.creates, 'p99');
  const verdict = (ok) => (ok ? 'met' : 'missed');
  const dupRatio = pairedRatio(storm.duplicates, storm.creates);
  const replayRatio = pairedRatio(storm.replays, storm.creates);
  const hookRatio = pairedRatio(hooks.hooks, hooks.creates);
  const bareHookRatio = pairedRatio(hooks.bareHooks, hooks.bareCreates);
  const hookCeilingRatio = pairedRatio(hooks.hooks, hooks.bareHooks);
  // Each round's creates against the ceiling started right after them, as the other ratios pair their rounds.
  const ceilingRatio = pairedRatio(pair.creates, pair.groupCeilings);
  const rows = [
    ['create, requests/s (32 connections)', fmt(create), '', ''],
    ['ceiling: bare node:http + better-sqlite3, group commit, same work, requests/s', fmt(bare), '', ''],
    ['create ÷ group-commit ceiling (round by round)', fmt(ceilingRatio, 3), '≥ 0.5', verdict(ceilingRatio >= 0.5)],
    ['bare server committing once per request, requests/s', fmt(perRequest), '', ''],
    [
      'create p50 / p99, ms',
      `${fmt(med(pair.creates, 'p50'), 1)} / ${fmt(createP99, 1)}`,
      'p99 < 25',
      verdict(createP99 < 25),
    ],
    [
      "create: writes per COMMIT (Tally's /metrics over the measured run)",
      fmt(med(pair.creates, 'writesPerCommit'), 1),
      '',
      '',
    ],
    [
      'group-commit ceiling p50 / p99, ms',
      `${fmt(med(pair.groupCeilings, 'p50'), 1)} / ${fmt(med(pair.groupCeilings, 'p99'), 1)}`,
      '',
      '',
    ],
    [
      `duplicate storm, requests/s (creates on the same process, same rounds: ${fmt(med(storm.creates, 'rps'))})`,
      fmt(med(storm.duplicates, 'rps')),
      '',
      '',
    ],
    ['duplicate storm ÷ create', fmt(dupRatio, 3), '≥ 1', verdict(dupRatio >= 1)],
    ['Idempotency-Key replay storm, requests/s', fmt(med(storm.replays, 'rps')), '', ''],
    ['Idempotency-Key replays ÷ create', fmt(replayRatio, 3), '≥ 1', verdict(replayRatio >= 1)],
    [
      `webhook /add updates/s (creates on the same process, same rounds: ${fmt(med(hooks.creates, 'rps'))})`,
      fmt(med(hooks.hooks, 'rps')),
      '',
      '',
    ],
    ['webhook ÷ create', fmt(hookRatio, 3), '', ''],
    [
      `ceiling's webhook /add updates/s (its creates, same rounds: ${fmt(med(hooks.bareCreates, 'rps'))})`,
      fmt(med(hooks.bareHooks, 'rps')),
      '',
      '',
    ],
    ["ceiling's webhook ÷ its create: the most this host allows", fmt(bareHookRatio, 3), '', ''],
    [
      "webhook ÷ the ceiling's webhook (round by round)",
      fmt(hookCeilingRatio, 3),
      '≥ 0.5',
      verdict(hookCeilingRatio >= 0.5),
    ],
  ];
  for (const [name, runs] of Object.entries(reads.results)) {
    const p99 = med(runs, 'p99');
    const target = name.startsWith('summary') ? 50 : 10;
    rows.push([
      `${name} at ${fmt(ROWS)} rows: p50 / p99 ms`,
      `${fmt(med(runs, 'p50'), 1)} / ${fmt(p99, 1)}`,
      `p99 < ${target}`,
      verdict(p99 < target),
    ]);
  }
  rows.push([
    `/total's query for a year at ${fmt(ROWS)} rows, ms`,
    fmt(reads.totalMs, 2),
    '< 100',
    verdict(reads.totalMs < 100),
  ]);
  const loadedRss = median(pair.loaded);
  rows.push([
    'RSS idle / after create load, MB',
    `${fmt(median(pair.idle))} / ${fmt(loadedRss)}`,
    '< 200 after load',
    verdict(loadedRss < 200),
  ]);
  const startup = median(pair.startup);
  rows.push(['start-up to healthy /health, ms', fmt(startup), '< 2000', verdict(startup < 2000)]);

  const table = [
    '| figure | median | target | |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  console.log(`\n${table}\n`);
  const perRun = (runs) => runs.map((r) => fmt(r.rps)).join(', ');
  const report = `# Benchmark results

Produced by \`npm run bench\` (bench/run.js) on ${new Date().toISOString().slice(0, 10)} from commit ${REVISION}.

Machine: ${cpus().length} cores (${cpus()[0].model}), ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}.
Each load run: autocannon on loopback, ${SECONDS} s, 32 connections for writes, 4 for reads; every figure
is the median of ${RUNS} runs, measured after ${WARMUP_SECONDS} s of unmeasured warm-up load of the same kind on each fresh
process. Tally runs with the flags of \`npm start\` (${START_FLAGS_TEXT}). Tally and the two bare servers
(bench/ceiling.js) take turns, each on a freshly started process and a new temporary database; the bare
servers do Tally's create work (insert-or-return-existing, the ledger's number, the daily and monthly totals) with no
framework and no checks; for the webhook, the group-commit one also does the bot's /add (the update id claimed with the
expense in the chat's ledger, then one sendMessage to the same fake Bot API before the webhook is answered). Any non-2xx answer, error or timeout in any run, warm-ups included, stops the bench.
The read database was seeded in bulk with ${fmt(ROWS)} expenses over 3 years, 50 categories and 3 currencies
in ${fmt(reads.seedSeconds, 1)} s.

${table}

Per-run figures (requests/s): create ${perRun(pair.creates)}; group-commit ceiling ${perRun(pair.groupCeilings)}; per-request ceiling ${perRun(pair.requestCeilings)}.
Storms (one process, rounds in order): create ${perRun(storm.creates)}; duplicates ${perRun(storm.duplicates)}; replays ${perRun(storm.replays)}.
Webhook process: create ${perRun(hooks.creates)}; webhook ${perRun(hooks.hooks)}. Ceiling's webhook process: create ${perRun(hooks.bareCreates)}; webhook ${perRun(hooks.bareHooks)}.
Ratios with \`÷ create\` divide each round's figure by the creates measured just before it on the same process, and
create ÷ ceiling divides each round's creates by the group-commit ceiling started right after them; each takes the median,
so the host's drift between phases does not count as a difference between scenarios.

Where the time goes: [PROFILES.md](PROFILES.md), written by \`node bench/profile.js\`.
`;
  writeFileSync(join(__dirname, 'RESULTS.md'), report);
  console.log('wrote bench/RESULTS.md');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
