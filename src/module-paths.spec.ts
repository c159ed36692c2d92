import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installStamp } from './module-paths';

const BUILT = join(__dirname, '..', 'dist', 'module-paths.js');
const made: string[] = [];
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A new temporary folder, removed after the test. */
function tempFolder(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A folder where ./entry.js exports require('./lib/b'), and ./lib/a.js is a different module. */
function project(): { dir: string; remembered: string } {
  const dir = tempFolder('tally-paths-');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'entry.js'), "module.exports = require('./lib/b');\n");
  writeFileSync(join(dir, 'lib', 'a.js'), "module.exports = 'a';\n");
  writeFileSync(join(dir, 'lib', 'b.js'), "module.exports = 'b';\n");
  return { dir, remembered: join(dir, 'paths.json') };
}

/** Runs the build's rememberModulePaths in a process of its own (it hooks Node's loader), requires ./entry.js, saves. */
function start(dir: string, remembered: string, stamp: string): string {
  const script = `const save = require(${JSON.stringify(BUILT)}).rememberModulePaths(${JSON.stringify(remembered)}, ${JSON.stringify(stamp)});
    console.log(require(${JSON.stringify(join(dir, 'entry.js'))}));
    save();`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.trim();
}

describe('rememberModulePaths', () => {
  it('writes where each module was found, with its stamp', () => {
    const { dir, remembered } = project();
    expect(start(dir, remembered, 'stamp-1')).toBe('b');
    const written = JSON.parse(readFileSync(remembered, 'utf8'));
    expect(written.stamp).toBe('stamp-1');
    expect(written.paths[`${dir}\0./lib/b`]).toBe(join(dir, 'lib', 'b.js'));
  });

  it('answers from the file while the stamp matches, and searches again once it does not', () => {
    const { dir, remembered } = project();
    // A remembered answer that differs from what a search finds shows which one was used.
    writeFileSync(remembered, JSON.stringify({ stamp: 'stamp-1', paths: { [`${dir}\0./lib/b`]: join(dir, 'lib', 'a.js') } }));
    expect(start(dir, remembered, 'stamp-1')).toBe('a');
    expect(start(dir, remembered, 'stamp-2')).toBe('b');
    expect(JSON.parse(readFileSync(remembered, 'utf8')).stamp).toBe('stamp-2');
  });

  it('never remembers what code without a file asked for (node -e resolves from the working directory)', () => {
    const { dir, remembered } = project();
    const script = `const save = require(${JSON.stringify(BUILT)}).rememberModulePaths(${JSON.stringify(remembered)}, 'stamp-1');
      console.log(require('./entry.js'));
      save();`;
    const child = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' });
    expect(child.stdout.trim()).toBe('b');
    const keys = Object.keys(JSON.parse(readFileSync(remembered, 'utf8')).paths);
    expect(keys).toEqual([`${dir}\0./lib/b`]);
  });

  it('leaves the loader alone without a stamp', () => {
    const { dir, remembered } = project();
    writeFileSync(remembered, JSON.stringify({ stamp: '', paths: { [`${dir}\0./lib/b`]: join(dir, 'lib', 'a.js') } }));
    expect(start(dir, remembered, '')).toBe('b');
  });
});

describe('installStamp', () => {
  it('changes when the install or the build does, and is undefined without them', () => {
    const root = tempFolder('tally-stamp-');
    expect(installStamp(root)).toBeUndefined();
    mkdirSync(join(root, 'node_modules'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}');
    writeFileSync(join(root, 'dist', 'main.js'), '');
    const first = installStamp(root);
    expect(first).toContain(process.version);
    utimesSync(join(root, 'dist', 'main.js'), new Date(), new Date(Date.now() + 5_000));
    const rebuilt = installStamp(root);
    expect(rebuilt).not.toBe(first);
    utimesSync(join(root, 'node_modules', '.package-lock.json'), new Date(), new Date(Date.now() + 9_000));
    expect(installStamp(root)).not.toBe(rebuilt);
  });
});
