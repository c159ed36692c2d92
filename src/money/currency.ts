import { code as lookupCurrency } from 'currency-codes';

/** ISO 4217 data comes from the maintained `currency-codes` table, never typed by hand. */
export interface Currency {
  code: string;
  /** Minor digits: 2 for USD, 0 for JPY, 3 for BHD. */
  digits: number;
}

const CODE_PATTERN = /^[A-Z]{3}$/;

/** Answers by code, kept once looked up: the table is searched entry by entry, and a list page asks for every row. */
const known = new Map<string, Currency>();

/** Returns the currency for an ISO 4217 code, or undefined when the code is not one. */
export function findCurrency(code: string): Currency | undefined {
  const cached = known.get(code);
  if (cached) return cached;
  if (!CODE_PATTERN.test(code)) return undefined;
  const entry = lookupCurrency(code);
  if (!entry || typeof entry.digits !== 'number') return undefined;
  const currency = Object.freeze({ code: entry.code, digits: entry.digits });
  known.set(code, currency);
  return currency;
}
