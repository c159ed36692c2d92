import { code as lookupCurrency } from 'currency-codes';

/** ISO 4217 data comes from the maintained `currency-codes` table, never typed by hand. */
export interface Currency {
  code: string;
  /** Minor digits: 2 for USD, 0 for JPY, 3 for BHD. */
  digits: number;
}

const CODE_PATTERN = /^[A-Z]{3}$/;

/** Returns the currency for an ISO 4217 code, or undefined when the code is not one. */
export function findCurrency(code: string): Currency | undefined {
  if (!CODE_PATTERN.test(code)) return undefined;
  const entry = lookupCurrency(code);
  if (!entry || typeof entry.digits !== 'number') return undefined;
  return { code: entry.code, digits: entry.digits };
}
