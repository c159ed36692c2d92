import { MikroORM } from '@mikro-orm/core';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { migrate, migrator } from '../src/database/open-database';
import { ormConfig } from '../src/database/orm.config';
import { MIGRATIONS } from '../src/migrations';
import { startApp, tempDir } from './support/app';
import { auditQuery } from './support/database-file';
import { ENGINES, freshDatabase } from './support/engines';
import { Client } from './support/http';

/** Upgrading a database made by an earlier Tally keeps every expense and numbers them as they were recorded. */
describe.each(ENGINES)('%s', (engine) => {
  it('the editing migration numbers existing expenses per ledger in recording order, and new ones continue', async () => {
    const dir = tempDir();
    const db = await freshDatabase(engine, dir);
    const orm = await MikroORM.init<AbstractSqlDriver>({ ...ormConfig(db.target), allowGlobalContext: true });
    try {
      await (await migrator(orm)).up({ to: MIGRATIONS[engine][0].name });
      const run = (sql: string, ...params: unknown[]) => orm.em.getConnection().execute(sql, params);
      for (const name of ['old-a', 'old-b']) {
        await run(`insert into ledger (name, currency, timezone, created_at) values (?, 'USD', 'UTC', '2026-01-01T00:00:00.000Z')`, name);
      }
      const [a, b] = (await run(`select id from ledger order by id`)) as Array<{ id: number }>;
      const expense = (id: string, ledger: number, amount: number, deleted: string | null) =>
        run(
          `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, deleted_at)
           values (?, ?, ?, 'USD', 'food', '', '2026-01-01', 'api', ?, 1, '2026-01-01T00:00:00.000Z', ?)`,
          id, ledger, amount, `key-${id}`, deleted,
        );
      await expense('a1aaaaaaaaaaaaaa', a.id, 100, null);
      await expense('b1bbbbbbbbbbbbbb', b.id, 200, null);
      await expense('a2aaaaaaaaaaaaaa', a.id, 300, '2026-01-02T00:00:00.000Z');
      await expense('a3aaaaaaaaaaaaaa', a.id, 400, null);
      await migrate(orm);
    } finally {
      await orm.close();
    }

    const rows = await auditQuery<{ id: string; number: number }>(db.target, 'select id, number from expense order by id');
    expect(rows.map((row) => [row.id, Number(row.number)])).toEqual([
      ['a1aaaaaaaaaaaaaa', 1],
      ['a2aaaaaaaaaaaaaa', 2],
      ['a3aaaaaaaaaaaaaa', 3],
      ['b1bbbbbbbbbbbbbb', 1],
    ]);

    const t = await startApp({}, engine, { db, dir });
    try {
      const api = new Client(t.url, await t.token('old-a'));
      expect((await api.get('/expenses/a3aaaaaaaaaaaaaa')).body).toMatchObject({ number: 3, amount: '4.00' });
      const next = await api.post('/expenses', { amount: '5', category: 'food', date: '2026-01-03' });
      expect(next.body.number).toBe(4);
      const other = new Client(t.url, await t.token('old-b'));
      expect((await other.post('/expenses', { amount: '5', category: 'food', date: '2026-01-03' })).body.number).toBe(2);
      expect((await api.patch('/expenses/a1aaaaaaaaaaaaaa', { amount: '1.50' })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
