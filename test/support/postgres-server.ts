import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throw-away PostgreSQL cluster for one test run: initdb into a temporary
 * folder, a server on a free loopback port, removed at the end. The server
 * binaries come from Debian's `postgresql` package (or PG_BIN). PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
export interface PostgresCluster {
  /** Superuser URL of the `postgres` database. */
  adminUrl: string;
  /** Stops the server, keeping its data (the database lost while Tally runs). */
  pause(): void;
  /** Starts it again on the same port with the same data. */
  resume(): void;
  /** Stops it and removes its data. */
  stop(): void;
}

const INSTALL_HINT =
  'PostgreSQL server binaries not found. The test suite runs every engine-dependent suite on PostgreSQL too: ' +
  'install Debian\'s package (apt-get install postgresql) or set PG_BIN to the folder holding initdb and pg_ctl.';

function binaries(): string {
  const candidates = [process.env.PG_BIN, ...versionDirs()].filter((dir): dir is string => !!dir);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) throw new Error(INSTALL_HINT);
  return found;
}

function versionDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = binaries();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'tally-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  const port = await freePort();
  // Test speed: no fsync (this cluster dies with the run; Tally's own crash tests kill Tally, not the server).
  const options = `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
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

