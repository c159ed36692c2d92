import type { Knex } from '@mikro-orm/knex';
import type { RawSql } from '../database/raw-sql';
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
 * Keeps expense_day in step with expense: call inside the transaction that
 * inserts or soft-deletes the expense (it runs on that transaction's
 * connection). The upsert is the same SQL in SQLite and PostgreSQL.
 */
export async function moveDailyTotals(sql: RawSql, movement: Movement): Promise<void> {
  const minor = BigInt(movement.amountMinor) * BigInt(movement.sign);
  // Always the category row first, then the all-categories row: writers on PostgreSQL lock them in one order.
  for (const category of [movement.category, ALL_CATEGORIES]) {
    await sql.run(MOVE, movement.ledgerId, category, movement.date, movement.currency, movement.sign, minor);
  }
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
