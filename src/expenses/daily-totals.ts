import type { Knex } from '@mikro-orm/knex';
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

const MOVE = `insert into expense_day (ledger_id, category, date, currency, count, total_minor) values (?, ?, ?, ?, ?, ?)
  on conflict (ledger_id, category, currency, date)
  do update set count = expense_day.count + excluded.count, total_minor = expense_day.total_minor + excluded.total_minor`;

/**
 * Keeps expense_day in step with expense: handed to WriteBatcher.atCommit by
 * every insert and soft delete, so it lands in the same transaction. A batch's
 * movements are summed per row and written in key order ('' first): writers on
 * PostgreSQL then take the row locks in one order and cannot deadlock on them.
 * The upsert is the same SQL in SQLite and PostgreSQL.
 */
export const DAILY_TOTALS: CommitEffect<Movement> = {
  async apply(sql: RawSql, movements: Movement[]): Promise<void> {
    type Row = { ledgerId: number; category: string; date: string; currency: string; count: number; minor: bigint };
    const rows = new Map<string, Row>();
    for (const movement of movements) {
      const minor = BigInt(movement.amountMinor) * BigInt(movement.sign);
      for (const category of [ALL_CATEGORIES, movement.category]) {
        const key = JSON.stringify([movement.ledgerId, category, movement.currency, movement.date]);
        const row = rows.get(key) ?? { ledgerId: movement.ledgerId, category, date: movement.date, currency: movement.currency, count: 0, minor: 0n };
        row.count += movement.sign;
        row.minor += minor;
        rows.set(key, row);
      }
    }
    for (const row of [...rows.values()].sort(compareRows)) {
      await sql.run(MOVE, row.ledgerId, row.category, row.date, row.currency, row.count, row.minor);
    }
  },
};

/** The primary key's order (ledger, category, currency, date), compared as PostgreSQL's "C" collation does. */
function compareRows(x: Pick<Movement, 'ledgerId' | 'category' | 'currency' | 'date'>, y: Pick<Movement, 'ledgerId' | 'category' | 'currency' | 'date'>): number {
  if (x.ledgerId !== y.ledgerId) return x.ledgerId - y.ledgerId;
  for (const field of ['category', 'currency', 'date'] as const) {
    if (x[field] !== y[field]) return Buffer.compare(Buffer.from(x[field]), Buffer.from(y[field]));
  }
  return 0;
}

function inRange(db: Knex, ledgerId: number, filter: ExpenseFilter): Knex.QueryBuilder {
  const query = db('expense_day').where('ledger_id', ledgerId);
  if (filter.from) query.where('date', '>=', filter.from);
  if (filter.to) query.where('date', '<=', filter.to);
  return query;
}

/** Count and per-currency sums of the live expenses matching a filter. */
export async function filterTotals(db: Knex, ledgerId: number, filter: ExpenseFilter): Promise<Array<CurrencySum & { count: number }>> {
  return inRange(db, ledgerId, filter)
    .where('category', filter.category ?? ALL_CATEGORIES)
    .groupBy('currency')
    .havingRaw('sum(count) > 0')
    .select('currency', db.raw('sum(count) as count'), db.raw('cast(sum(total_minor) as text) as total'));
}

/** Per category and currency, for a date range. */
export async function categoryTotals(db: Knex, ledgerId: number, filter: ExpenseFilter): Promise<Array<CurrencySum & { category: string; count: number }>> {
  return inRange(db, ledgerId, filter)
    .whereNot('category', ALL_CATEGORIES)
    .groupBy('category', 'currency')
    .havingRaw('sum(count) > 0')
    .orderBy('category')
    .select('category', 'currency', db.raw('sum(count) as count'), db.raw('cast(sum(total_minor) as text) as total'));
}

/** Per day and currency over a filter (one category, or every one), oldest first: the trend of a chart. */
export async function dailySeries(db: Knex, ledgerId: number, filter: ExpenseFilter): Promise<Array<CurrencySum & { date: string }>> {
  return inRange(db, ledgerId, filter)
    .where('category', filter.category ?? ALL_CATEGORIES)
    .groupBy('date', 'currency')
    .havingRaw('sum(count) > 0')
    .orderBy('date')
    .select('date', 'currency', db.raw('cast(sum(total_minor) as text) as total'));
}
