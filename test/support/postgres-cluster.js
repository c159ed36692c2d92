'use strict';
// A throw-away PostgreSQL cluster: initdb into a temporary folder, a server on
// a free loopback port, removed at the end. Used by the test run (global
// set-up) and by `npm run bench`. The server binaries come from Debian's
// `postgresql` package (or PG_BIN). PostgreSQL refuses to run as root, so as
// root the cluster belongs to the `postgres` user.
const { spawnSync } = require('node:child_process');
const { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const INSTALL_HINT =
  'PostgreSQL server binaries not found. The test suite runs every engine-dependent suite on PostgreSQL too: ' +
  "install Debian's package (apt-get install postgresql) or set PG_BIN to the folder holding initdb and pg_ctl.";

function binaries() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin'))
    : [];
  const found = [process.env.PG_BIN, ...versions]
    .filter(Boolean)
    .find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster. `durable: false` (tests) turns fsync off for speed: the
 * cluster dies with the run, and Tally's crash tests kill Tally, not the server.
 */
async function startPostgres({ durable = false } = {}) {
  const bin = binaries();
  const asRoot = process.getuid && process.getuid() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tally-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (command, args) => {
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]]
      : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  const speed = durable ? '' : ' -c fsync=off -c full_page_writes=off';
  const options = `-p ${port} -k ${dir} -h 127.0.0.1 -c max_connections=400 -c shared_buffers=128MB${speed}`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  start();
  return {
    adminUrl: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    pause: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    resume: start,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { startPostgres };
