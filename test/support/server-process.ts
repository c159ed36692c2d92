import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOT_TOKEN } from './fake-telegram';

export const ROOT = join(__dirname, '..', '..');

/**
 * What every process a test starts inherits: PATH, and the test's clock when
 * the run is under faketime (its offset and preload), so that the server and
 * the test agree on what time it is. Nothing else of the test's environment.
 */
export function childEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && (name.startsWith('FAKETIME') || name === 'LD_PRELOAD')) env[name] = value;
  }
  return env;
}
const MAIN = join(ROOT, 'dist', 'main.js');
/** The V8 flags of `npm start`, so tests run the process users run. */
const START_FLAGS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(' ')
  .filter((word) => word.startsWith('--'));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<number | string>;
}

/** Starts the production build (dist/, made by `npm test`'s build step) as a real process. */
export async function startServer(env: Record<string, string>, timeoutMs = 15_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], {
    cwd: ROOT,
    env: { ...childEnv(), PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The last MiB of output is plenty for any assertion and keeps a long soak from hoarding logs.
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (output.length > 2 ** 20) output = output.slice(-(2 ** 20));
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
    if (match) return { url: match[1], child, output: () => output, exited };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

/** Runs `npm run token -- create --ledger NAME`'s script and returns the last line of stdout. */
export function createToken(env: Record<string, string>, ledger: string): string {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'token.js'), 'create', '--ledger', ledger], {
    cwd: ROOT,
    env: { ...childEnv(), ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`token CLI failed: ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  return lines[lines.length - 1];
}

/** Environment for the production build in webhook mode against a fake Bot API. */
export function botEnv(databaseUrl: string, apiRoot: string, secret: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: apiRoot,
    TELEGRAM_WEBHOOK_URL: 'https://tally.example/telegram/webhook',
    TELEGRAM_WEBHOOK_SECRET: secret,
  };
}
