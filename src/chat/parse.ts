import { addDays, Period, PERIODS } from '../common/calendar';
import { findCurrency } from '../money/currency';

/**
 * The bot's command grammar (docs/API.md §6), pure: text in, a parsed command or
 * a message that says what was wrong out. Amount rules beyond the shape
 * (decimals per currency, limits) stay with Money, the one place for them.
 */
export interface ParsedAdd {
  /** Plain decimal with "." as the mark, ready for Money.parse. */
  amount: string;
  currency?: string;
  category: string;
  description: string;
  /** YYYY-MM-DD, resolved against `today`; undefined means today. */
  date?: string;
}

export interface ParsedFilter {
  category?: string;
  period: Period;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const ADD_USAGE =
  'Write it like this: /add 12.50 food lunch with Ann (optional: a currency such as EUR or €12, and @yesterday or @2026-11-20 at the end).';
export const FILTER_USAGE =
  'Write it like this: /list food week (category and period are optional; periods: today, yesterday, week, month, year, all).';

const SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP', '¥': 'JPY' };
const AMOUNT = /^([€$£¥])?(\d+(?:[.,]\d+)?)([€$£¥])?$/u;
const ISO_CODE = /^[A-Z]{3}$/;

/** One word that is an amount, maybe with a currency symbol ("12,50", "€12"); undefined when it is not. */
export function parseAmountWord(word: string): { amount: string; currency?: string } | undefined {
  const match = AMOUNT.exec(word);
  if (!match || (match[1] && match[3])) return undefined;
  return { amount: match[2].replace(',', '.'), currency: SYMBOLS[match[1] ?? match[3] ?? ''] };
}

/** True when the first word looks like an amount: a plain message starting so is a quick add. */
export function startsWithAmount(text: string): boolean {
  const first = text.trim().split(/\s+/u)[0] ?? '';
  return AMOUNT.test(first);
}

export function parseAdd(text: string, today: string): Parsed<ParsedAdd> {
  const words = text.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return fail(`I need an amount and a category. ${ADD_USAGE}`);

  const amountMatch = AMOUNT.exec(words[0]);
  if (!amountMatch) return fail(`"${words[0]}" is not an amount. ${ADD_USAGE}`);
  const [, before, number, after] = amountMatch;
  if (before && after) return fail(`"${words[0]}" has two currency symbols. ${ADD_USAGE}`);
  let currency = SYMBOLS[before ?? after ?? ''];
  let rest = words.slice(1);

  if (rest.length > 0 && ISO_CODE.test(rest[0]) && findCurrency(rest[0])) {
    if (currency && currency !== rest[0])
      return fail(`${words[0]} and ${rest[0]} name two different currencies. ${ADD_USAGE}`);
    currency = rest[0];
    rest = rest.slice(1);
  }

  let date: string | undefined;
  const last = rest[rest.length - 1];
  if (last?.startsWith('@')) {
    const resolved = resolveDate(last.slice(1), today);
    if (!resolved) return fail(`"${last}" is not a date I know: use @today, @yesterday or @2026-11-20.`);
    date = resolved;
    rest = rest.slice(0, -1);
  }

  if (rest.length === 0) return fail(`I need a category after the amount. ${ADD_USAGE}`);
  return {
    ok: true,
    value: {
      amount: number.replace(',', '.'),
      currency,
      category: rest[0],
      description: rest.slice(1).join(' '),
      date,
    },
  };
}

/** `[CATEGORY] [PERIOD]` for /list and /total; a lone period word is a period. */
export function parseFilter(text: string): Parsed<ParsedFilter> {
  const words = text.trim().split(/\s+/u).filter(Boolean);
  const isPeriod = (word: string) => (PERIODS as readonly string[]).includes(word.toLowerCase());
  if (words.length === 0) return { ok: true, value: { period: 'all' } };
  if (words.length === 1) {
    return isPeriod(words[0])
      ? { ok: true, value: { period: words[0].toLowerCase() as Period } }
      : { ok: true, value: { category: words[0], period: 'all' } };
  }
  if (words.length === 2 && isPeriod(words[1])) {
    return { ok: true, value: { category: words[0], period: words[1].toLowerCase() as Period } };
  }
  return fail(`I could not read "${text.trim()}". ${FILTER_USAGE}`);
}

/** `today`, `yesterday` or a YYYY-MM-DD date (checked by the expense rules later). */
export function resolveDate(word: string, today: string): string | undefined {
  const lower = word.toLowerCase();
  if (lower === 'today') return today;
  if (lower === 'yesterday') return addDays(today, -1);
  return /^\d{4}-\d{2}-\d{2}$/.test(word) ? word : undefined;
}

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}
