import { Money } from '../money/money';
import { ALL_CATEGORIES } from '../expenses/totals.repository';

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

/** The monthly totals' category a budget reads: all spending is the totals' '' row. */
export function totalsCategory(category: string): string {
  return category === ALL_SPENDING ? ALL_CATEGORIES : category;
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
