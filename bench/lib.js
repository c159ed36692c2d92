'use strict';
// Shared helpers for the benchmarks: start processes, drive load, read memory.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');

const ROOT = join(__dirname, '..');
/** The V8 flags `npm start` uses, so the benchmark measures the process users run. */
const START_FLAGS = require(join(ROOT, 'package.json'))
  .scripts.start.split(' ')
  .filter((word) => word.startsWith('--'));

function tempDb() {
  return join(mkdtempSync(join(tmpdir(), 'tally-bench-')), 'tally.sqlite');
}

/** Starts a Node script that prints "listening on http://HOST:PORT"; resolves once it does. */
async function startProcess(script, env, timeoutMs = 20_000, nodeFlags = []) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(script.endsWith('main.js') ? START_FLAGS : []), ...nodeFlags, script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
    if (match) {
      const url = match[1];
      await waitHealthy(url, deadline);
      const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
      return { url, child, startupMs, output: () => output, stop: () => stop(child) };
    }
    if (child.exitCode !== null) break;
    await sleep(10);
  }
  child.kill('SIGKILL');
  throw new Error(`${script} did not start:\n${output}`);
}

async function waitHealthy(url, deadline) {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not yet
    }
    await sleep(10);
  }
  throw new Error(`${url}/health never answered`);
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident memory of a process in MB, from /proc. */
function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Issues a token with the token CLI (which also migrates); `database` is a SQLite path or a DATABASE_URL. */
function createToken(database, ledger) {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'token.js'), 'create', '--ledger', ledger], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: /^(sqlite|postgres(ql)?):/.test(database) ? database : `sqlite:${database}`,
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim().split('\n').pop();
}

/**
 * Runs autocannon and returns requests/s, latency percentiles (ms) and status
 * counts. Any answer other than 2xx, or any error or timeout, fails the run:
 * a fast figure made of refusals would be a false one.
 */
function load(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections: 32, duration: 10, ...options }, (error, result) => {
      if (error) return reject(error);
      const failed = result.non2xx + result.errors + result.timeouts;
      if (failed > 0 || result.requests.total === 0) {
        const path = options.requests?.[0]?.path ?? '';
        return reject(
          new Error(
            `load on ${options.url}${path}: ${result.requests.total} requests, ${result.non2xx} non-2xx (4xx ${result['4xx']}, 5xx ${result['5xx']}), ${result.errors} errors, ${result.timeouts} timeouts`,
          ),
        );
      }
      resolve({
        rps: result.requests.average,
        total: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors + result.timeouts,
      });
    });
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

/** The commit the benchmarked code comes from, and whether files other than the results differ from it. */
function revision() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
  const changed = git('status', '--porcelain', '--', 'src', 'bench', 'package.json', 'package-lock.json')
    .split('\n')
    .filter((line) => line && !/bench\/(RESULTS[^/]*|PROFILES)\.md$/.test(line));
  return `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${changed.length ? ' with uncommitted changes' : ''}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

module.exports = { ROOT, START_FLAGS, tempDb, startProcess, rssMb, createToken, load, median, sleep, revision };
