/**
 * Calendar dates (YYYY-MM-DD) in a ledger's IANA time zone. Dates are plain
 * strings everywhere: they compare and sort correctly as text and never pass
 * through a JS Date in local time.
 */
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Canonical spelling of a zone ("europe/berlin" → "Europe/Berlin"). */
export function canonicalTimeZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}

/** True for a real calendar date written as YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * Each zone's last answer and the UTC minute it was for. Since 1972 every
 * zone's offset is a whole number of minutes, so a date never changes inside a
 * UTC minute; formatToParts costs about 9 µs, paid by every bot message.
 */
const lastAnswers = new Map<string, { minute: number; date: string }>();

/** Today's date in the given zone. */
export function todayIn(zone: string, now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  const last = lastAnswers.get(zone);
  if (last?.minute === minute) return last.date;
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((part) => [part.type, part.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  lastAnswers.set(zone, { minute, date });
  return date;
}

export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** The month after YYYY-MM. */
export function nextMonth(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return number === 12
    ? `${String(year + 1).padStart(4, '0')}-01`
    : `${month.slice(0, 4)}-${String(number + 1).padStart(2, '0')}`;
}

/** The month before YYYY-MM. */
export function previousMonth(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return number === 1
    ? `${String(year - 1).padStart(4, '0')}-12`
    : `${month.slice(0, 4)}-${String(number - 1).padStart(2, '0')}`;
}

/** The last date of month YYYY-MM. */
export function lastDayOf(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(year, number, 0)).getUTCDate()).padStart(2, '0')}`;
}

export type Period = 'today' | 'yesterday' | 'week' | 'month' | 'year' | 'all';
export const PERIODS: readonly Period[] = ['today', 'yesterday', 'week', 'month', 'year', 'all'];

export interface DateRange {
  from?: string;
  to?: string;
}

/**
 * The dates a bot PERIOD covers: `week` is the last 7 days including today,
 * `month` and `year` the current calendar month and year so far.
 */
export function periodRange(period: Period, today: string): DateRange {
  switch (period) {
    case 'today':
      return { from: today, to: today };
    case 'yesterday': {
      const yesterday = addDays(today, -1);
      return { from: yesterday, to: yesterday };
    }
    case 'week':
      return { from: addDays(today, -6), to: today };
    case 'month':
      return { from: `${today.slice(0, 7)}-01`, to: today };
    case 'year':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
    case 'all':
      return {};
  }
}
