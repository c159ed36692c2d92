import Module from 'node:module';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/**
 * Where start-up's modules were found, kept from one start to the next.
 *
 * Start-up loads about 2,100 files, and Node finds each one by probing the
 * file system (a stat per candidate path, package.json files for "exports"):
 * a sixth of the time to a healthy /health on the machine this was built on.
 * The answers change only when node_modules/ or dist/ do, so a start writes
 * them to a file and later starts read them back while its stamp still
 * matches. A request the file does not know is resolved as usual, and a
 * start that met one writes the file again with it.
 */
interface Remembered {
  stamp: string;
  /** "directory of the requiring module \0 request" → the file Node chose. */
  paths: Record<string, string>;
}

type ResolveFilename = (request: string, parent: Module | undefined, isMain: boolean, options?: unknown) => string;
/** Node's CommonJS resolver, not in @types/node; the same hook module-alias and Yarn's PnP use. */
const loader = Module as unknown as { _resolveFilename: ResolveFilename };

/**
 * What the remembered paths are valid for: this Node, this install (npm
 * rewrites node_modules/.package-lock.json on every install) and this build
 * (tsc rewrites dist/main.js on every build). Undefined when either is missing.
 */
export function installStamp(root: string): string | undefined {
  try {
    const modified = (path: string) => statSync(join(root, path)).mtimeMs;
    return `${process.version} ${modified('node_modules/.package-lock.json')} ${modified('dist/main.js')}`;
  } catch {
    return undefined;
  }
}

/**
 * Answers module resolution from `file` when its stamp is `stamp`, learning
 * what it does not know. Returns save(): writes the file if anything was
 * learned (atomically; a read-only install just stays unremembered).
 */
export function rememberModulePaths(file: string, stamp: string | undefined): () => void {
  if (!stamp) return () => undefined;
  const paths = readPaths(file, stamp);
  let learned = false;
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (request, parent, isMain, options) {
    // Only plain require() from a module file: the main script, require.resolve with its own paths, and code
    // without a file (node -e, whose relative requests depend on the working directory) go the usual way.
    if (!parent?.path || !isAbsolute(parent.path) || isMain || options) return resolve.call(this, request, parent, isMain, options);
    const key = `${parent.path}\0${request}`;
    const known = paths[key];
    if (known) return known;
    const found = resolve.call(this, request, parent, isMain, options);
    // Node's built-ins ("fs") are found without the file system.
    if (isAbsolute(found)) {
      paths[key] = found;
      learned = true;
    }
    return found;
  };
  return () => {
    if (!learned) return;
    learned = false;
    const remembered: Remembered = { stamp, paths };
    const temporary = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify(remembered));
      renameSync(temporary, file);
    } catch {
      // Not writable (a read-only image): every start resolves as usual.
    }
  };
}

function readPaths(file: string, stamp: string): Record<string, string> {
  try {
    const remembered = JSON.parse(readFileSync(file, 'utf8')) as Remembered;
    if (remembered.stamp === stamp && remembered.paths && typeof remembered.paths === 'object') return remembered.paths;
  } catch {
    // None yet, or unreadable: start afresh.
  }
  return Object.create(null) as Record<string, string>;
}
