import { InvalidInputError } from '../common/domain-errors';
import { isCalendarDate, todayIn } from '../common/calendar';
import { findCurrency } from '../money/currency';
import { Money, MoneyError } from '../money/money';

/**
 * The rules of docs/API.md §3 for one expense's fields, shared by every front
 * door. Each failure is an InvalidInputError whose message names the field.
 */
export const CATEGORY_MAX = 64;
export const DESCRIPTION_MAX = 500;

// Control characters would corrupt CSV rows and chat replies.
const CONTROL = /[\u0000-\u001f\u007f]/u;

/** An ISO 4217 code; the fallback (the ledger's) when absent. JSON null counts as absent, as for description. */
export function ruleCurrency(code: unknown, fallback: string): string {
  if (code === undefined || code === null) return fallback;
  if (typeof code !== 'string') throw new InvalidInputError('currency must be an ISO 4217 code such as USD');
  const upper = code.trim().toUpperCase();
  if (!findCurrency(upper))
    throw new InvalidInputError(`currency must be an ISO 4217 code such as USD, got ${JSON.stringify(code)}`);
  return upper;
}

export function ruleAmount(amount: unknown, currency: string): Money {
  if (amount === undefined || amount === null || amount === '') throw new InvalidInputError('amount is required');
  try {
    return Money.parse(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new InvalidInputError(`amount ${error.message}`);
    throw error;
  }
}

/** Trimmed, inner white space collapsed, lower case: "Food " and "food" are one category. */
export function ruleCategory(category: unknown): string {
  if (typeof category !== 'string') throw new InvalidInputError('category is required and must be a string');
  const normal = category.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
  const length = [...normal].length;
  if (length < 1 || length > CATEGORY_MAX) {
    throw new InvalidInputError(`category must be 1-${CATEGORY_MAX} characters after trimming`);
  }
  if (CONTROL.test(normal)) throw new InvalidInputError('category must not contain control characters');
  return normal;
}

export function ruleDescription(description: unknown): string {
  if (description === undefined || description === null) return '';
  if (typeof description !== 'string') throw new InvalidInputError('description must be a string');
  const trimmed = description.normalize('NFC').trim();
  if ([...trimmed].length > DESCRIPTION_MAX) {
    throw new InvalidInputError(`description must be at most ${DESCRIPTION_MAX} characters`);
  }
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/u.test(trimmed)) {
    throw new InvalidInputError('description must not contain control characters');
  }
  return trimmed;
}

/** A real calendar date; today in the ledger's zone at `now` (the app's Clock) when absent. */
export function ruleDate(date: unknown, timezone: string, now: Date, field = 'date'): string {
  if (date === undefined || date === null) return todayIn(timezone, now);
  if (typeof date !== 'string' || !isCalendarDate(date)) {
    throw new InvalidInputError(`${field} must be a real calendar date written YYYY-MM-DD`);
  }
  return date;
}

export function ruleOptionalDate(date: unknown, field: string): string | undefined {
  if (date === undefined || date === '') return undefined;
  if (typeof date !== 'string' || !isCalendarDate(date)) {
    throw new InvalidInputError(`${field} must be a real calendar date written YYYY-MM-DD`);
  }
  return date;
}
