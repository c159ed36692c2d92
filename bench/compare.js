'use strict';
// `node bench/compare.js REF` (after `npm run build`): this build against the
// build of git REF, in one run on this machine. Each scenario alternates a
// fresh process of each build, base first, RUNS rounds, and reports the
// medians and this ÷ base. For a change that should not change speed (a
// refactor): create, webhook, list and summary on SQLite, creates and a list
// on PostgreSQL. Writes bench/RESULTS-compare.md.
const { execFileSync } = require('node:child_process');
const { existsSync, symlinkSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Client } = require('pg');
const { ROOT, tempDb, startProcess, createToken, load, median, revision } = require('./lib');
/** Read when the run starts: a commit made while it runs must not be named as its source. */
const REVISION = revision();
const { createRequests, webhookRequests, getRequests } = require('./requests');
const { startFakeBotApi } = require('./fake-bot-api');
const { seed } = require('./seed');
const { startPostgres } = require('../test/support/postgres-cluster');

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const SECRET = 'compare_secret';

/** The base build: a worktree of REF beside this one, sharing node_modules, compiled once. */
function baseBuild(ref) {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(require('node:os').tmpdir(), `tally-base-${sha}`);
  if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir });
  return { sha, main: join(dir, 'dist', 'main.js') };
}

/** One figure of one build: a fresh process on `env`, warmed up, then measured. */
async function measure(main, env, options) {
  const server = await startProcess(main, env);
  try {
    await load({ url: server.url, duration: WARMUP_SECONDS, ...options });
    return (await load({ url: server.url, duration: SECONDS, ...options })).rps;
  } finally {
    await server.stop();
  }
}

async function main() {
  const ref = process.argv[2];
  if (!ref) throw new Error('usage: node bench/compare.js GIT_REF');
  const base = baseBuild(ref);
  const head = { main: join(ROOT, 'dist', 'main.js') };
  const rows = [];
  const compare = async (name, figure) => {
    const runs = { base: [], head: [] };
    for (let round = 0; round < RUNS; round++) {
      runs.base.push(await figure(base.main));
      runs.head.push(await figure(head.main));
    }
    const [b, h] = [median(runs.base), median(runs.head)];
    rows.push([name, Math.round(b), Math.round(h), (h / b).toFixed(2)]);
    console.log(
      `${name}: base ${runs.base.map(Math.round)}, this ${runs.head.map(Math.round)} → ${(h / b).toFixed(2)}`,
    );
  };

  // SQLite: a fresh database per create and webhook figure; one seeded database for the reads.
  await compare('SQLite create, 32 connections', (main) => {
    const path = tempDb();
    return measure(
      main,
      { DATABASE_URL: `sqlite:${path}` },
      { connections: 32, ...createRequests(createToken(path, 'c')) },
    );
  });
  const botApi = await startFakeBotApi();
  await compare('SQLite webhook /add, 32 connections', (main) =>
    measure(
      main,
      {
        DATABASE_URL: `sqlite:${tempDb()}`,
        TELEGRAM_BOT_TOKEN: '7000001:COMPARE_token',
        TELEGRAM_API_ROOT: botApi.url,
        TELEGRAM_WEBHOOK_URL: 'https://compare.example/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
      },
      { connections: 32, ...webhookRequests(SECRET) },
    ),
  );
  botApi.close();
  const readPath = tempDb();
  const readToken = createToken(readPath, 'read');
  seed(readPath, 1, ROWS);
  const reads = {
    'list, first page': '/expenses?limit=50',
    'list, category and a month': '/expenses?category=category-07&from=2025-03-01&to=2025-03-31&limit=50',
    'summary, one year': '/expenses/summary?from=2025-01-01&to=2025-12-31',
  };
  for (const [name, path] of Object.entries(reads))
    await compare(`SQLite ${name} at ${ROWS.toLocaleString('en-US')} rows, 4 connections`, (main) =>
      measure(main, { DATABASE_URL: `sqlite:${readPath}` }, { connections: 4, ...getRequests(readToken, path) }),
    );

  // PostgreSQL (fsync on): creates on a fresh database per figure.
  const cluster = await startPostgres({ durable: true });
  try {
    let databases = 0;
    await compare('PostgreSQL create, 32 connections', async (main) => {
      const name = `compare_${++databases}`;
      const admin = new Client({ connectionString: cluster.adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = cluster.adminUrl.replace(/\/postgres$/, `/${name}`);
      return measure(main, { DATABASE_URL: url }, { connections: 32, ...createRequests(createToken(url, 'c')) });
    });
  } finally {
    cluster.stop();
  }

  const text = [
    '# This build against an earlier one',
    '',
    // The measured commit first, as the other reports name it ("from commit …"); the base after it.
    `Produced on ${new Date().toISOString().slice(0, 10)} from commit ${REVISION} by \`node bench/compare.js ${ref}\`: this build ÷ ${base.sha},`,
    `medians of ${RUNS} alternating rounds (a fresh process of each build, base first), ${SECONDS} s each after ${WARMUP_SECONDS} s of warm-up.`,
    'Reads share one seeded SQLite file; creates and webhooks start on a fresh database (PostgreSQL: fsync on).',
    '',
    '| figure | base, requests/s | this, requests/s | this ÷ base |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
  writeFileSync(join(__dirname, 'RESULTS-compare.md'), text);
  console.log(`\n${text}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
