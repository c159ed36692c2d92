import Database from 'better-sqlite3';
import { Client as PgClient } from 'pg';
import { EntityManager } from '@mikro-orm/knex';
import type { RawSql } from '../src/database/raw-sql';
import { currentTransaction } from '../src/database/transactions';
import { WriteBatcher } from '../src/database/write-batcher';
import { removeDir, startApp, tempDir, TestApp } from './support/app';
import { ENGINES, freshDatabase } from './support/engines';
import { createToken, startServer } from './support/server-process';
import { Client } from './support/http';

/** How many write batches a server process has committed so far, and how many writes they held (from /metrics). */
async function batchesSoFar(url: string): Promise<{ batches: number; writes: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const pick = (suffix: string) =>
    Number(new RegExp(`^tally_write_batch_size_${suffix} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { batches: pick('count'), writes: pick('sum') };
}

/**
 * Makes every COMMIT that holds an expense described "poison" fail: the
 * expense's insert also writes a row whose foreign key is checked only at
 * COMMIT (DEFERRABLE INITIALLY DEFERRED, the same SQL on both engines).
 */
const POISON: Record<string, { on: string[]; off: string[] }> = {
  sqlite: {
    on: [
      'create table commit_probe (parent integer references ledger(id) deferrable initially deferred)',
      "create trigger poison_commit after insert on expense when new.description = 'poison' begin insert into commit_probe (parent) values (-1); end",
    ],
    off: ['drop trigger poison_commit', 'drop table commit_probe'],
  },
  postgresql: {
    on: [
      'create table commit_probe (parent integer references ledger(id) deferrable initially deferred)',
      "create function poison_commit() returns trigger language plpgsql as $$ begin if new.description = 'poison' then insert into commit_probe (parent) values (-1); end if; return new; end $$",
      'create trigger poison_commit after insert on expense for each row execute function poison_commit()',
    ],
    off: ['drop trigger poison_commit on expense', 'drop function poison_commit()', 'drop table commit_probe'],
  },
};

const prepare = Database.prototype.prepare;
/** A write of one row (a ledger: no other table needs to exist first). */
const insert = (tx: RawSql, name: string) =>
  tx.run(`insert into ledger (name, currency, timezone, created_at) values (?, 'USD', 'UTC', 'now')`, name);
const pgQuery = PgClient.prototype.query;

describe.each(ENGINES)('%s', (engine) => {
  /** Group commit: writes that arrive together share a transaction, and one failure undoes only itself. */
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('commits the good writes of a batch and rolls back only the failed one', async () => {
    const batcher = t.app.get(WriteBatcher);
    const em = t.app.get(EntityManager);
    const results = await Promise.allSettled([
      batcher.run((tx) => insert(tx, 'batch-a')),
      batcher.run(async (tx) => {
        await insert(tx, 'batch-broken');
        throw new Error('this write fails after inserting');
      }),
      batcher.run(async (tx) => {
        await insert(tx, 'batch-b');
        return batcher.run((inner) => insert(inner, 'batch-nested')); // a write inside a write joins it
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = (await em.getKnex()('ledger').where('name', 'like', 'batch-%').pluck('name')).sort();
    expect(names).toEqual(['batch-a', 'batch-b', 'batch-nested']);
  });

  it('a write that fails after a write inside it succeeded is undone whole; the writes before and after it are kept', async () => {
    const batcher = t.app.get(WriteBatcher);
    const em = t.app.get(EntityManager);
    const results = await Promise.allSettled([
      batcher.run((tx) => insert(tx, 'whole-before')),
      batcher.run(async (tx) => {
        await insert(tx, 'whole-outer');
        await batcher.run((inner) => insert(inner, 'whole-inner')); // joins, and succeeds
        throw new Error('the outer write fails after its inner write succeeded');
      }),
      batcher.run((tx) => insert(tx, 'whole-after')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = (await em.getKnex()('ledger').where('name', 'like', 'whole-%').pluck('name')).sort();
    expect(names).toEqual(['whole-after', 'whole-before']);
  });

  // Round trips on the batch's connection are what a batch waits for on PostgreSQL (SQLite's are calls in process).
  (engine === 'postgresql' ? it : it.skip)(
    'a write that succeeds costs one statement besides its own, its SAVEPOINT: no RELEASE round trip',
    async () => {
      const batcher = t.app.get(WriteBatcher);
      const texts: string[] = [];
      const spy = jest.spyOn(PgClient.prototype, 'query').mockImplementation(function (
        this: PgClient,
        ...args: unknown[]
      ) {
        texts.push(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
        return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
      } as never);
      try {
        await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.run((tx) => insert(tx, `trips-${i}`))));
      } finally {
        spy.mockRestore();
      }
      const kinds = texts.map((text) => text.trim().split(/\s+/)[0].toLowerCase());
      expect(kinds.filter((kind) => kind === 'insert')).toHaveLength(10);
      expect(kinds.filter((kind) => kind === 'savepoint')).toHaveLength(10);
      expect(kinds.filter((kind) => kind === 'release')).toEqual([]);
    },
  );

  (engine === 'postgresql' ? it : it.skip)(
    "a write's first statement is handed to the driver before its SAVEPOINT is answered, and still runs inside it",
    async () => {
      const batcher = t.app.get(WriteBatcher);
      const em = t.app.get(EntityManager);
      /** What the batch's connection was asked and told, in order: "ask savepoint", "told savepoint", "ask insert", … */
      const events: string[] = [];
      const spy = jest.spyOn(PgClient.prototype, 'query').mockImplementation(function (
        this: PgClient,
        ...args: unknown[]
      ) {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        const kind = text.trim().split(/\s+/)[0].toLowerCase();
        events.push(`ask ${kind}`);
        const answer = (pgQuery as (...a: unknown[]) => Promise<unknown>).apply(this, args);
        void answer.then(() => events.push(`told ${kind}`)).catch(() => undefined);
        return answer;
      } as never);
      let results: PromiseSettledResult<unknown>[];
      try {
        results = await Promise.allSettled([
          batcher.run((tx) => insert(tx, 'piped-a')),
          batcher.run(async (tx) => {
            await insert(tx, 'piped-broken');
            throw new Error('fails after its first statement');
          }),
          batcher.run((tx) => insert(tx, 'piped-b')),
        ]);
      } finally {
        spy.mockRestore();
      }
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // Each write: its insert asked for before its savepoint was told done.
      const writes = events.flatMap((event, i) => (event === 'ask savepoint' ? [i] : []));
      expect(writes).toHaveLength(3);
      for (const at of writes) {
        const asked = events.indexOf('ask insert', at);
        const told = events.indexOf('told savepoint', at);
        expect(asked).toBeGreaterThan(at);
        expect(asked).toBeLessThan(told);
      }
      // And the savepoint still came first: the failed write's row went with it.
      const names = (await em.getKnex()('ledger').where('name', 'like', 'piped-%').pluck('name')).sort();
      expect(names).toEqual(['piped-a', 'piped-b']);
    },
  );

  it('writes reuse the statements of earlier writes: the SQL a batch sends comes from a fixed set, so no cache of statements grows with traffic', async () => {
    const batcher = t.app.get(WriteBatcher);
    // Every SQL text handed to the driver (spied on, not replaced: the calls go through).
    const texts: string[] = [];
    const spy =
      engine === 'sqlite'
        ? jest.spyOn(Database.prototype, 'prepare').mockImplementation(function (
            this: Database.Database,
            source: string,
          ) {
            texts.push(source);
            return prepare.call(this, source);
          })
        : jest.spyOn(PgClient.prototype, 'query').mockImplementation(function (this: PgClient, ...args: unknown[]) {
            texts.push(typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text);
            return (pgQuery as (...a: unknown[]) => unknown).apply(this, args);
          } as never);
    const round = async (tag: string) => {
      texts.length = 0;
      await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          batcher.run(async (tx) => {
            await tx.run(
              `insert into ledger (name, currency, timezone, created_at) values (?, 'USD', 'UTC', 'now')`,
              `${tag}-${i}`,
            );
            if (i % 10 === 0) throw new Error('this write fails and is rolled back to its savepoint');
          }),
        ),
      );
      return new Set(texts);
    };
    try {
      const first = await round('statements-a');
      const second = await round('statements-b');
      expect([...second].filter((text) => !first.has(text))).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });

  it('writes that arrive together run in one transaction and share its COMMIT', async () => {
    const batcher = t.app.get(WriteBatcher);
    const transactions = await Promise.all([1, 2, 3].map(() => batcher.run(async () => currentTransaction())));
    expect(transactions[0]).toBeDefined();
    expect(transactions.every((trx) => trx === transactions[0])).toBe(true);

    // Over HTTP, to the production build in its own process: 40 creates at once are committed in fewer batches than writes.
    const dir = tempDir();
    const db = await freshDatabase(engine, dir);
    const env = { DATABASE_URL: db.url };
    const server = await startServer(env);
    try {
      const api = new Client(server.url, createToken(env, 'shared-commit'));
      const before = await batchesSoFar(server.url);
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => api.post('/expenses', { amount: `${i + 1}`, category: 'together' })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201));
      const after = await batchesSoFar(server.url);
      expect(after.writes - before.writes).toBe(40);
      expect(after.batches - before.batches).toBeLessThan(40);
      console.log(
        `write batcher (${engine}): 40 concurrent creates committed in ${after.batches - before.batches} batches`,
      );
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await db.drop();
      removeDir(dir);
    }
  });

  it('a COMMIT that fails answers every write of its batch with an error and stores none of them; nothing is acknowledged before COMMIT', async () => {
    const knex = t.app.get(EntityManager).getKnex();
    const api = new Client(t.url, await t.token('failed-commit'));
    for (const statement of POISON[engine].on) await knex.raw(statement);
    const failed: string[] = [];
    let neighbours = 0;
    try {
      // Concurrent creates with one poisoned among them; the writes in its batch fail with it.
      for (let round = 0; round < 5 && neighbours === 0; round++) {
        const descriptions = Array.from({ length: 30 }, (_, i) => (i === 15 ? 'poison' : `r${round}-${i}`));
        const answers = await Promise.all(
          descriptions.map((description, i) =>
            api.post('/expenses', { amount: `${i + 1}`, category: 'commit', description }),
          ),
        );
        const stored = new Set(
          (await api.get('/expenses?category=commit&limit=200')).body.items.map((e: any) => e.description),
        );
        answers.forEach((answer, i) => {
          const description = descriptions[i];
          if (answer.status === 201) expect([description, stored.has(description)]).toEqual([description, true]);
          else {
            expect([description, answer.status >= 500, stored.has(description)]).toEqual([description, true, false]);
            if (description !== 'poison') failed.push(description);
          }
        });
        expect(answers[15].status).toBeGreaterThanOrEqual(500);
        neighbours += answers.filter((a, i) => i !== 15 && a.status >= 500).length;
      }
      // The poisoned write took at least one neighbour down with it: they shared its COMMIT.
      expect(neighbours).toBeGreaterThan(0);
    } finally {
      for (const statement of POISON[engine].off) await knex.raw(statement);
    }
    // The database is usable again, and the refused writes can simply be sent again.
    for (const description of failed) {
      const again = await api.post('/expenses', { amount: '1', category: 'commit', description });
      expect([description, again.status]).toEqual([description, 201]);
    }
    const poisonFree = (await api.get('/expenses?category=commit&limit=200')).body.items;
    expect(poisonFree.filter((e: any) => e.description === 'poison')).toEqual([]);
  });
});
