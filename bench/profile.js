'use strict';
// `node bench/profile.js` (after `npm run build`): where a request's CPU time
// goes. Each scenario runs Tally (the flags of `npm start`, plus --cpu-prof)
// on a fresh database under BENCH_SECONDS of load after a warm-up of the same
// kind, then reads the V8 profile and adds up self time by package. Writes
// bench/PROFILES.md; the .cpuprofile files stay in the folder it names, for a
// flame graph (Chrome DevTools, speedscope).
const { mkdtempSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir, cpus } = require('node:os');
const { join } = require('node:path');
const { ROOT, START_FLAGS, tempDb, startProcess, createToken, load, revision } = require('./lib');
/** Read when the run starts: a commit made while it runs must not be named as its source. */
const REVISION = revision();
const { createRequests, duplicateRequests, replayRequests, webhookRequests, getRequests } = require('./requests');
const { startFakeBotApi } = require('./fake-bot-api');
const { seed } = require('./seed');
const { Client } = require('pg');
const { startPostgres } = require('../test/support/postgres-cluster');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
const LIST_ROWS = Number(process.env.PROFILE_ROWS ?? 200_000);
const MAIN = join(ROOT, 'dist', 'main.js');
const SECRET = 'profile_secret';
/** PROFILE_POSTGRES=1: the write scenarios on a throw-away durable PostgreSQL cluster instead of SQLite. */
const POSTGRES = process.env.PROFILE_POSTGRES === '1';
let cluster;
let databases = 0;

const SCENARIOS = [
  { name: 'create', connections: 32, requests: (token) => createRequests(token) },
  { name: 'duplicate storm', connections: 32, requests: (token) => duplicateRequests(token) },
  { name: 'Idempotency-Key replays', connections: 32, requests: (token) => replayRequests(token) },
  { name: 'webhook /add', connections: 32, bot: true, requests: () => webhookRequests(SECRET) },
  {
    name: `list, first page of ${LIST_ROWS.toLocaleString('en-US')} rows`,
    connections: 4,
    rows: LIST_ROWS,
    requests: (token) => getRequests(token, '/expenses?limit=50'),
  },
];

/** Self time (ms) by where the code lives (a package, Node itself, Tally's own files, V8's own states), and by function. */
function selfTimes(profile, window) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  const functions = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    // Sample times are CLOCK_MONOTONIC microseconds, the clock of process.hrtime: keep the measured run's only.
    at += profile.timeDeltas[i];
    if (at < window.from || at > window.to) return;
    const { callFrame } = nodes.get(id);
    const ms = profile.timeDeltas[i] / 1000;
    const where = place(callFrame);
    add(totals, where, ms);
    if (!callFrame.functionName.startsWith('('))
      add(
        functions,
        `${callFrame.functionName || '(anonymous)'} — ${where}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`,
        ms,
      );
  });
  return { totals, functions };
}

function place({ functionName, url }) {
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(program)') return 'V8 and native code outside JS';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [scope, name] = url.slice(modules + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.includes('/dist/')) return `Tally: ${url.slice(url.indexOf('/dist/') + 1)}`;
  if (url === '') return 'native functions called from JS (SQLite statements with their fsync, crypto, JSON)';
  return 'Node internals (HTTP, streams, timers, async hooks)';
}

/** A fresh database: a SQLite file, or a new database on the cluster. */
async function freshDatabase() {
  if (!POSTGRES) return `sqlite:${tempDb()}`;
  cluster ??= await startPostgres({ durable: true });
  const name = `profile_${++databases}`;
  const admin = new Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return cluster.adminUrl.replace(/\/postgres$/, `/${name}`);
}

async function profileScenario(scenario) {
  const database = await freshDatabase();
  const token = createToken(database, 'profile');
  if (scenario.rows) seed(database.slice('sqlite:'.length), 1, scenario.rows);
  const botApi = scenario.bot ? await startFakeBotApi() : undefined;
  const profileDir = mkdtempSync(join(tmpdir(), 'tally-profile-'));
  const env = { DATABASE_URL: database };
  if (botApi)
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: '7000001:PROFILE_token',
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_WEBHOOK_URL: 'https://profile.example/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
    });
  const app = await startProcess(MAIN, env, 20_000, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  const options = { url: app.url, connections: scenario.connections };
  await load({ ...options, duration: WARMUP_SECONDS, ...scenario.requests(token) });
  const from = Number(process.hrtime.bigint() / 1000n);
  const measured = await load({ ...options, duration: SECONDS, ...scenario.requests(token) });
  const to = Number(process.hrtime.bigint() / 1000n);
  await app.stop(); // the profile is written as the process exits
  botApi?.close();
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${profileDir}:\n${app.output()}`);
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8'));
  return { measured, ...selfTimes(profile, { from, to }), file: join(profileDir, file) };
}

const pct = (part, whole) => `${((100 * part) / whole).toFixed(1)} %`;

function section(scenario, { measured, totals, functions, file }) {
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const busy = all - (totals.get('idle (waiting for I/O)') ?? 0);
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  const shownCount = Number(process.env.PROFILE_ROWS_SHOWN ?? 14);
  const shown = rows.slice(0, shownCount);
  const rest = rows.slice(shownCount).reduce((n, [, ms]) => n + ms, 0);
  const requests = measured.total;
  return [
    `## ${scenario.name}`,
    '',
    `${scenario.connections} connections: ${Math.round(measured.rps).toLocaleString('en-US')} requests/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms; ` +
      `CPU busy ${pct(busy, all)} of the measured run, ${((busy / (requests || 1)) * 1000).toFixed(0)} µs of one core per request. Profile: \`${file}\`.`,
    '',
    '| where | self time | share |',
    '| --- | --- | --- |',
    ...shown.map(([where, ms]) => `| ${where} | ${Math.round(ms).toLocaleString('en-US')} ms | ${pct(ms, all)} |`),
    ...(rest ? [`| everything else | ${Math.round(rest).toLocaleString('en-US')} ms | ${pct(rest, all)} |`] : []),
    '',
    'Functions with the most self time:',
    '',
    '| function — where | self time | share |',
    '| --- | --- | --- |',
    ...[...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(
        ([name, ms]) =>
          `| ${name.replace(/\|/g, '\\|')} | ${Math.round(ms).toLocaleString('en-US')} ms | ${pct(ms, all)} |`,
      ),
    '',
  ].join('\n');
}

async function main() {
  const sections = [];
  for (const scenario of SCENARIOS.filter(
    (s) => (!process.env.PROFILE_ONLY || s.name.startsWith(process.env.PROFILE_ONLY)) && !(POSTGRES && s.rows),
  )) {
    console.log(`profiling: ${scenario.name}`);
    sections.push(section(scenario, await profileScenario(scenario)));
  }
  const report = `# Where the time goes

Written by \`node bench/profile.js\` (after \`npm run build\`) on ${new Date().toISOString().slice(0, 10)} from commit ${REVISION},
on ${cpus().length} cores (${cpus()[0].model}), Node ${process.version}. For each scenario Tally runs with the flags of
\`npm start\` (${START_FLAGS.join(' ') || 'none'}) and \`--cpu-prof\` on a fresh SQLite database, takes ${WARMUP_SECONDS} s of
warm-up load of the same kind and then ${SECONDS} s of measured load (autocannon on loopback; any non-2xx answer stops
the script). Self time is V8's sampled time in each function during the measured load only, added up by the package the
function comes from; time inside a native call (a SQLite statement, its fsync) counts for the JS function that made it. The
load generator shares the machine's cores, so the figures are lower than \`npm run bench\`'s.

${sections.join('\n')}`;
  // PROFILE_ONLY=NAME profiles the scenarios whose name starts with NAME and prints them, leaving PROFILES.md whole;
  // so does PROFILE_POSTGRES=1 (PROFILES.md is SQLite's).
  if (process.env.PROFILE_ONLY || POSTGRES) return console.log(sections.join('\n'));
  writeFileSync(join(__dirname, 'PROFILES.md'), report);
  console.log('wrote bench/PROFILES.md');
}

main()
  .finally(() => cluster?.stop())
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
