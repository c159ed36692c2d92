/*
 * The rollups' SQL: expense_day and expense_month hold each ledger's running
 * count and total per day (and month), category ('' = all) and currency.
 * DAILY_TOTALS keeps them in every write's transaction (a commit effect);
 * the readers below sum them for list totals, summaries, budgets and charts,
 * never the expenses themselves. Plain functions on the handle given.
 */
import { lastDayOf, nextMonth, previousMonth } from '../common/calendar';
import type { RawSql } from '../database/raw-sql';
import type { CommitEffect } from '../database/write-batcher';
import type { ExpenseFilter } from './expenses.service';
import type { CurrencySum } from './totals';

/** The rollup row holding a day's total over every category. */
export const ALL_CATEGORIES = '';

export interface Movement {
  ledgerId: number;
  category: string;
  date: string;
  currency: string;
  /** +1 for an insert, -1 for a delete. */
  sign: 1 | -1;
  amountMinor: bigint | number | string;
}

/**
 * PostgreSQL: a batch's rows of one rollup in one statement, from arrays in
 * key order. The rows are inserted, and their locks taken, in the arrays'
 * order; one statement instead of one round trip per row is what lets a
 * batch spread over many ledgers (4 rows per expense) commit quickly.
 */
const MOVE_DAYS_PG = `insert into expense_day (ledger_id, category, date, currency, count, total_minor)
  select * from unnest(?::integer[], ?::text[], ?::text[], ?::text[], ?::integer[], ?::bigint[])
  on conflict (ledger_id, category, currency, date)
  do update set count = expense_day.count + excluded.count, total_minor = expense_day.total_minor + excluded.total_minor`;
const MOVE_MONTHS_PG = `insert into expense_month (ledger_id, category, month, currency, count, total_minor)
  select * from unnest(?::integer[], ?::text[], ?::text[], ?::text[], ?::integer[], ?::bigint[])
  on conflict (ledger_id, category, currency, month)
  do update set count = expense_month.count + excluded.count, total_minor = expense_month.total_minor + excluded.total_minor`;
const MOVE_DAY = `insert into expense_day (ledger_id, category, date, currency, count, total_minor) values (?, ?, ?, ?, ?, ?)
  on conflict (ledger_id, category, currency, date)
  do update set count = expense_day.count + excluded.count, total_minor = expense_day.total_minor + excluded.total_minor`;
const MOVE_MONTH = `insert into expense_month (ledger_id, category, month, currency, count, total_minor) values (?, ?, ?, ?, ?, ?)
  on conflict (ledger_id, category, currency, month)
  do update set count = expense_month.count + excluded.count, total_minor = expense_month.total_minor + excluded.total_minor`;

/**
 * Keeps the rollups in step with expense: handed to WriteBatcher.atCommit by
 * every insert and soft delete, so it lands in the same transaction. Each
 * movement counts in its day and its month (YYYY-MM), for its category and
 * for every category (''). A batch's movements are summed per row and written
 * days first, each table in key order: writers on PostgreSQL then take the
 * row locks in one order and cannot deadlock on them. SQLite upserts row by
 * row (statements there are calls, not round trips); PostgreSQL a table at a time.
 */
export const DAILY_TOTALS: CommitEffect<Movement> = {
  async apply(sql: RawSql, movements: Movement[]): Promise<void> {
    type Row = { ledgerId: number; category: string; date: string; currency: string; count: number; minor: bigint };
    const tables = { day: new Map<string, Row>(), month: new Map<string, Row>() };
    for (const movement of movements) {
      const minor = BigInt(movement.amountMinor) * BigInt(movement.sign);
      for (const [rows, date] of [
        [tables.day, movement.date],
        [tables.month, movement.date.slice(0, 7)],
      ] as const) {
        for (const category of [ALL_CATEGORIES, movement.category]) {
          const key = JSON.stringify([movement.ledgerId, category, movement.currency, date]);
          const row = rows.get(key) ?? {
            ledgerId: movement.ledgerId,
            category,
            date,
            currency: movement.currency,
            count: 0,
            minor: 0n,
          };
          row.count += movement.sign;
          row.minor += minor;
          rows.set(key, row);
        }
      }
    }
    const postgres = sql.engine === 'postgresql';
    for (const [rows, upsert] of [
      [tables.day, postgres ? MOVE_DAYS_PG : MOVE_DAY],
      [tables.month, postgres ? MOVE_MONTHS_PG : MOVE_MONTH],
    ] as const) {
      const sorted = [...rows.values()].sort(compareRows);
      if (postgres) {
        const column = <K extends keyof Row>(key: K) => sorted.map((row) => row[key]);
        await sql.run(
          upsert,
          column('ledgerId'),
          column('category'),
          column('date'),
          column('currency'),
          column('count'),
          sorted.map((row) => row.minor.toString()),
        );
        continue;
      }
      for (const row of sorted)
        await sql.run(upsert, row.ledgerId, row.category, row.date, row.currency, row.count, row.minor);
    }
  },
};

/** The primary key's order (ledger, category, currency, date), compared as PostgreSQL's "C" collation does. */
function compareRows(
  x: Pick<Movement, 'ledgerId' | 'category' | 'currency' | 'date'>,
  y: Pick<Movement, 'ledgerId' | 'category' | 'currency' | 'date'>,
): number {
  if (x.ledgerId !== y.ledgerId) return x.ledgerId - y.ledgerId;
  for (const field of ['category', 'currency', 'date'] as const) {
    if (x[field] !== y[field]) return Buffer.compare(Buffer.from(x[field]), Buffer.from(y[field]));
  }
  return 0;
}

/** One part of a date range, read from one rollup: `from`/`to` are dates for expense_day, months (YYYY-MM) for expense_month. */
interface RangePart {
  table: 'expense_day' | 'expense_month';
  column: 'date' | 'month';
  from?: string;
  to?: string;
}

/** The last month a YYYY-MM-DD date can name. */
const LAST_CALENDAR_MONTH = '9999-12';

/**
 * Cuts a date range into the whole months it covers, read from expense_month
 * (a year is 12 rows per category and currency, not 365), and the days at its
 * ends that do not fill a month, read from expense_day. Open ends stay open.
 */
export function rangeParts(from?: string, to?: string): RangePart[] {
  // The ends that fall inside a month: those days come from the daily rows.
  const startsMidMonth = from !== undefined && !from.endsWith('-01');
  const endsMidMonth = to !== undefined && to !== lastDayOf(to.slice(0, 7));
  const firstMonth = from === undefined ? undefined : startsMidMonth ? nextMonth(from.slice(0, 7)) : from.slice(0, 7);
  const lastMonth = to === undefined ? undefined : endsMidMonth ? previousMonth(to.slice(0, 7)) : to.slice(0, 7);
  // Less than a whole month between the ends (at most two part-months), or a start inside the last month a date
  // can name (the month after it, 10000-01, would sort before every real month): days only.
  const startsInLastMonth = startsMidMonth && from.startsWith(LAST_CALENDAR_MONTH);
  if (startsInLastMonth || (firstMonth !== undefined && lastMonth !== undefined && firstMonth > lastMonth)) {
    return [{ table: 'expense_day', column: 'date', from, to }];
  }
  const parts: RangePart[] = [{ table: 'expense_month', column: 'month', from: firstMonth, to: lastMonth }];
  if (startsMidMonth) parts.push({ table: 'expense_day', column: 'date', from, to: lastDayOf(from.slice(0, 7)) });
  if (endsMidMonth) parts.push({ table: 'expense_day', column: 'date', from: `${to.slice(0, 7)}-01`, to });
  return parts;
}

/** The rollup rows of a ledger in a date range whose category matches `categorySql`, as one UNION ALL over the range's parts. */
function rollupRows(
  ledgerId: number,
  filter: ExpenseFilter,
  categorySql: string,
  categoryParams: unknown[],
): { sql: string; params: unknown[] } {
  const selects: string[] = [];
  const params: unknown[] = [];
  for (const part of rangeParts(filter.from, filter.to)) {
    let select = `select category, currency, count, total_minor from ${part.table} where ledger_id = ? and ${categorySql}`;
    params.push(ledgerId, ...categoryParams);
    if (part.from !== undefined) {
      select += ` and ${part.column} >= ?`;
      params.push(part.from);
    }
    if (part.to !== undefined) {
      select += ` and ${part.column} <= ?`;
      params.push(part.to);
    }
    selects.push(select);
  }
  return { sql: selects.join(' union all '), params };
}

/** Count and per-currency sums of the live expenses matching a filter. */
export async function filterTotals(
  db: RawSql,
  ledgerId: number,
  filter: ExpenseFilter,
): Promise<Array<CurrencySum & { count: number }>> {
  const rows = rollupRows(ledgerId, filter, 'category = ?', [filter.category ?? ALL_CATEGORIES]);
  return db.all(
    `select currency, sum(count) as count, cast(sum(total_minor) as text) as total from (${rows.sql}) as r
     group by currency having sum(count) > 0`,
    ...rows.params,
  );
}

/** Per category and currency, for a date range. */
export async function categoryTotals(
  db: RawSql,
  ledgerId: number,
  filter: ExpenseFilter,
): Promise<Array<CurrencySum & { category: string; count: number }>> {
  const rows = rollupRows(ledgerId, filter, 'category > ?', [ALL_CATEGORIES]);
  return db.all(
    `select category, currency, sum(count) as count, cast(sum(total_minor) as text) as total from (${rows.sql}) as r
     group by category, currency having sum(count) > 0 order by category`,
    ...rows.params,
  );
}

/** Per day and currency over a filter (one category, or every one), oldest first: the trend of a chart. */
export async function dailySeries(
  db: RawSql,
  ledgerId: number,
  filter: ExpenseFilter,
): Promise<Array<CurrencySum & { date: string }>> {
  let where = 'ledger_id = ? and category = ?';
  const params: unknown[] = [ledgerId, filter.category ?? ALL_CATEGORIES];
  if (filter.from) {
    where += ' and date >= ?';
    params.push(filter.from);
  }
  if (filter.to) {
    where += ' and date <= ?';
    params.push(filter.to);
  }
  return db.all(
    `select date, currency, cast(sum(total_minor) as text) as total from expense_day where ${where}
     group by date, currency having sum(count) > 0 order by date`,
    ...params,
  );
}
