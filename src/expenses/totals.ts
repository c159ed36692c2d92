import { formatMinor } from '../money/money';
import { findCurrency } from '../money/currency';

/** Per-currency totals as strings with each currency's minor digits: {"USD": "12.50"}. */
export type Totals = Record<string, string>;

export interface CurrencySum {
  currency: string;
  /** SUM(amount_minor) read as text, so it stays exact past 2^53. */
  total: string;
}

export function toTotals(sums: CurrencySum[]): Totals {
  const totals: Totals = {};
  for (const sum of [...sums].sort((a, b) => a.currency.localeCompare(b.currency))) {
    totals[sum.currency] = formatMinor(BigInt(sum.total), findCurrency(sum.currency)?.digits ?? 2);
  }
  return totals;
}
