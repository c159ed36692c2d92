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
    const orm = await MikroORM.init<AbstractSqlDriver>(ormConfig(db.target));
    try {
      await (await migrator(orm)).up({ to: MIGRATIONS[engine][0].name });
      const run = (sql: string, ...params: unknown[]) => orm.em.getConnection().execute(sql, params);
      for (const name of ['old-a', 'old-b']) {
        await run(
          `insert into ledger (name, currency, timezone, created_at) values (?, 'USD', 'UTC', '2026-01-01T00:00:00.000Z')`,
          name,
        );
      }
      const [a, b] = (await run(`select id from ledger order by id`)) as Array<{ id: number }>;
      const expense = (id: string, ledger: number, amount: number, deleted: string | null) =>
        run(
          `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, deleted_at)
           values (?, ?, ?, 'USD', 'food', '', '2026-01-01', 'api', ?, 1, '2026-01-01T00:00:00.000Z', ?)`,
          id,
          ledger,
          amount,
          `key-${id}`,
          deleted,
        );
      await expense('a1aaaaaaaaaaaaaa', a.id, 100, null);
      await expense('b1bbbbbbbbbbbbbb', b.id, 200, null);
      await expense('a2aaaaaaaaaaaaaa', a.id, 300, '2026-01-02T00:00:00.000Z');
      await expense('a3aaaaaaaaaaaaaa', a.id, 400, null);
      await migrate(orm);
    } finally {
      await orm.close();
    }

    const rows = await auditQuery<{ id: string; number: number }>(
      db.target,
      'select id, number from expense order by id',
    );
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
      expect((await other.post('/expenses', { amount: '5', category: 'food', date: '2026-01-03' })).body.number).toBe(
        2,
      );
      expect((await api.patch('/expenses/a1aaaaaaaaaaaaaa', { amount: '1.50' })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('the outbox migration keeps queued Telegram messages as they were, addressed by platform, and new ones number after them', async () => {
    const dir = tempDir();
    const db = await freshDatabase(engine, dir);
    const orm = await MikroORM.init<AbstractSqlDriver>(ormConfig(db.target));
    try {
      await (await migrator(orm)).up({ to: 'Migration20261208000000' });
      const run = (sql: string, ...params: unknown[]) => orm.em.getConnection().execute(sql, params);
      await run(
        `insert into chat_message (chat_id, text, created_at, claimed_until, attempts, sent_at) values
         (-1001, 'Budget alert: sent', 1000, 0, 1, 2000), (42, 'Budget alert: queued', 3000, 0, 2, null)`,
      );
      await migrate(orm);
      await run(
        `insert into chat_message (platform, address, text, created_at) values ('slack', 'C0NEW', 'new', 4000)`,
      );
    } finally {
      await orm.close();
    }
    const rows = await auditQuery<Record<string, unknown>>(
      db.target,
      'select id, platform, address, text, attempts, sent_at from chat_message order by id',
    );
    expect(
      rows.map((row) => [
        Number(row.id),
        row.platform,
        row.address,
        row.text,
        Number(row.attempts),
        row.sent_at === null ? null : Number(row.sent_at),
      ]),
    ).toEqual([
      [1, 'telegram', '-1001', 'Budget alert: sent', 1, 2000],
      [2, 'telegram', '42', 'Budget alert: queued', 2, null],
      [3, 'slack', 'C0NEW', 'new', 0, null],
    ]);
  });

  it('the monthly totals migration fills expense_month from the daily totals, so ranges of whole months add up as before', async () => {
    const dir = tempDir();
    const db = await freshDatabase(engine, dir);
    const orm = await MikroORM.init<AbstractSqlDriver>(ormConfig(db.target));
    try {
      const before = MIGRATIONS[engine].findIndex((migration) => migration.name === 'Migration20261129000000') - 1;
      await (await migrator(orm)).up({ to: MIGRATIONS[engine][before].name });
      const run = (sql: string, ...params: unknown[]) => orm.em.getConnection().execute(sql, params);
      await run(
        `insert into ledger (name, currency, timezone, created_at) values ('old', 'USD', 'UTC', '2026-01-01T00:00:00.000Z')`,
      );
      const [{ id: ledger }] = (await run(`select id from ledger`)) as Array<{ id: number }>;
      // What the earlier Tally kept: the expenses and their daily totals ('' = every category).
      const spent: Array<[string, string, number]> = [
        ['2026-01-05', 'food', 1000],
        ['2026-01-20', 'food', 250],
        ['2026-02-03', 'rent', 90000],
        ['2026-03-31', 'food', 5],
      ];
      for (const [i, [date, category, minor]] of spent.entries()) {
        await run(
          `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source, dedup_key, occurrence, created_at, number)
           values (?, ?, ?, 'USD', ?, '', ?, 'api', ?, 1, '2026-01-01T00:00:00.000Z', ?)`,
          `old${String(i).padStart(13, '0')}`,
          ledger,
          minor,
          category,
          date,
          `key-${i}`,
          i + 1,
        );
        for (const rollup of [category, '']) {
          await run(
            `insert into expense_day (ledger_id, category, date, currency, count, total_minor) values (?, ?, ?, 'USD', 1, ?)`,
            ledger,
            rollup,
            date,
            minor,
          );
        }
      }
      await run(`update ledger set last_number = 4 where id = ?`, ledger);
      await migrate(orm);
    } finally {
      await orm.close();
    }

    const months = await auditQuery<{ category: string; month: string; count: number; total_minor: string }>(
      db.target,
      'select category, month, count, total_minor from expense_month order by category, month',
    );
    expect(months.map((row) => [row.category, row.month, Number(row.count), String(row.total_minor)])).toEqual([
      ['', '2026-01', 2, '1250'],
      ['', '2026-02', 1, '90000'],
      ['', '2026-03', 1, '5'],
      ['food', '2026-01', 2, '1250'],
      ['food', '2026-03', 1, '5'],
      ['rent', '2026-02', 1, '90000'],
    ]);

    const t = await startApp({}, engine, { db, dir });
    try {
      const api = new Client(t.url, await t.token('old'));
      expect((await api.post('/expenses', { amount: '1', category: 'food', date: '2026-03-01' })).status).toBe(201);
      const quarter = await api.get('/expenses/summary?from=2026-01-01&to=2026-03-31');
      expect(quarter.body).toMatchObject({
        count: 5,
        total: { USD: '913.55' },
        categories: [
          { category: 'food', count: 4, total: { USD: '13.55' } },
          { category: 'rent', count: 1, total: { USD: '900.00' } },
        ],
      });
      expect((await api.get('/expenses?limit=1')).body).toMatchObject({ count: 5, total: { USD: '913.55' } });
      expect((await api.get('/expenses?category=food&from=2026-01-10&to=2026-03-01&limit=1')).body).toMatchObject({
        count: 2,
        total: { USD: '3.50' },
      });
    } finally {
      await t.close();
    }
  });
});
