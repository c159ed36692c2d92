import { isAbsolute, resolve } from 'node:path';

/** Where the data lives, decided once from DATABASE_URL. */
export type DatabaseTarget =
  | { engine: 'sqlite'; /** absolute file path, or ":memory:" */ path: string }
  | { engine: 'postgresql'; /** postgresql://USER:PASS@HOST:PORT/DB */ url: string };

export type Engine = DatabaseTarget['engine'];

/** Parses DATABASE_URL; throws an Error whose message names what is wrong (never the password). */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`DATABASE_URL is not a valid URL: ${redactUrl(url)}`);
    }
    if (!parsed.hostname || parsed.pathname.length <= 1) {
      throw new Error(`DATABASE_URL must look like postgresql://USER:PASS@HOST:PORT/DB, got ${redactUrl(url)}`);
    }
    return { engine: 'postgresql', url };
  }
  const match = /^sqlite:(.+)$/.exec(url);
  if (!match) {
    throw new Error(
      `DATABASE_URL must look like sqlite:data/tally.sqlite, sqlite::memory: or postgresql://USER:PASS@HOST:PORT/DB, got ${JSON.stringify(redactUrl(url))}`,
    );
  }
  const path = match[1];
  return { engine: 'sqlite', path: path === ':memory:' || isAbsolute(path) ? path : resolve(cwd, path) };
}

/** The URL with any password replaced by ***, safe for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/** How a target is named in logs: the SQLite path, or the PostgreSQL URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'sqlite' ? target.path : redactUrl(target.url);
}
