import { Money } from '../money/money';
import type { RawSql } from '../database/raw-sql';
import { ALL_CATEGORIES } from '../expenses/daily-totals';

/** A budget's category `*` covers all spending. */
export const ALL_SPENDING = '*';

/** Alert thresholds, in percent of the monthly limit. */
export const THRESHOLDS = [80, 100] as const;

/** What one month of spending against one budget looks like. */
export interface BudgetView {
  category: string;
  amount: string;
  currency: string;
  spent: string;
  remaining: string;
  /** Whole percent spent, rounded down (79.9 % is 79). */
  percent: number;
}

const SPENT = `select cast(total_minor as text) as spent from expense_month
  where ledger_id = ? and category = ? and currency = ? and month = ?`;

/** Spent in a month (YYYY-MM) on a budget's category and currency, from the monthly totals. */
export async function spentInMonth(
  db: RawSql,
  ledgerId: number,
  category: string,
  currency: string,
  month: string,
): Promise<bigint> {
  const row = await db.get<{ spent: string }>(
    SPENT,
    ledgerId,
    category === ALL_SPENDING ? ALL_CATEGORIES : category,
    currency,
    month,
  );
  return BigInt(row?.spent ?? 0);
}

export function percentOf(spent: bigint, limit: bigint): number {
  return limit > 0n ? Number((spent * 100n) / limit) : 0;
}

export function budgetView(
  budget: { category: string; currency: string; amount_minor: bigint | number | string },
  spent: bigint,
): BudgetView {
  const limit = BigInt(budget.amount_minor);
  const money = (minor: bigint) => Money.ofMinor(minor, budget.currency).format();
  return {
    category: budget.category,
    amount: money(limit),
    currency: budget.currency,
    spent: money(spent),
    remaining: money(limit - spent),
    percent: percentOf(spent, limit),
  };
}

/** "food", or "all spending" for `*`. */
export function budgetName(category: string): string {
  return category === ALL_SPENDING ? 'all spending' : category;
}
