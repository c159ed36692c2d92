import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppLogger, linesByTurn } from './logging';

const ROOT = join(__dirname, '..', '..');
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const cleanups: Array<() => void> = [];

function tempLog(): { fd: number; read: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'tally-log-'));
  const path = join(dir, 'out.log');
  const fd = openSync(path, 'a');
  cleanups.push(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  return { fd, read: () => readFileSync(path, 'utf8') };
}

describe('linesByTurn', () => {
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  it('writes the lines logged in one turn together when the turn ends, each still whole', async () => {
    const log = tempLog();
    const destination = linesByTurn(log.fd);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    expect(log.read()).toBe('');
    await nextTurn();
    expect(log.read()).toBe('{"n":1}\n{"n":2}\n');
    destination.write('{"n":3}\n');
    await nextTurn();
    expect(log.read()).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  });

  it('writes what is left when the process exits in the same turn (the build, in a process of its own)', () => {
    const log = tempLog();
    const script = `const { linesByTurn } = require(${JSON.stringify(join(ROOT, 'dist', 'common', 'logging.js'))});
      const destination = linesByTurn(3);
      destination.write('{"last":1}\\n');
      destination.write('{"last":2}\\n');
      process.exit(3);`;
    const child = spawnSync(process.execPath, ['-e', script], {
      stdio: ['ignore', 'inherit', 'inherit', log.fd],
      encoding: 'utf8',
    });
    expect(child.status).toBe(3);
    expect(log.read()).toBe('{"last":1}\n{"last":2}\n');
  });

  it("carries AppLogger's JSON request line whole", async () => {
    const log = tempLog();
    const logger = new AppLogger({ logLevel: 'info', logFormat: 'json' }, linesByTurn(log.fd));
    logger.request({
      reqId: 'r1',
      method: 'POST',
      route: '/expenses',
      path: '/expenses',
      status: 201,
      ms: 2.345,
      ledgerId: 7,
    });
    await nextTurn();
    const line = JSON.parse(log.read());
    expect(line).toMatchObject({
      context: 'HTTP',
      reqId: 'r1',
      method: 'POST',
      status: 201,
      ms: 2.3,
      ledgerId: 7,
      msg: 'POST /expenses 201 2.3ms',
    });
  });
});
