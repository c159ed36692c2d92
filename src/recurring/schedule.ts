import { addDays, isCalendarDate, lastDayOf, nextMonth } from '../common/calendar';

export type Every = 'day' | 'week' | 'month';
export const EVERY: readonly Every[] = ['day', 'week', 'month'];

/**
 * When a recurring expense falls due. `day` is the day of the month (1–31;
 * past a short month's end, its last day) or the ISO weekday (1 = Monday …
 * 7 = Sunday); a daily rule has none. Dates are calendar dates in the
 * ledger's time zone, as strings.
 */
export interface Schedule {
  every: Every;
  day?: number;
}

/** A rule's schedule with its day settled: without one, the start's day of the month or weekday. */
export function settle(every: Every, day: number | undefined, start: string): Schedule {
  if (every === 'day') return { every };
  return { every, day: day ?? (every === 'week' ? isoWeekday(start) : Number(start.slice(8, 10))) };
}

/** The first due date on or after `from`. */
export function firstDue(schedule: Schedule, from: string): string {
  if (!isCalendarDate(from)) throw new Error(`not a date: ${from}`);
  switch (schedule.every) {
    case 'day':
      return from;
    case 'week':
      return addDays(from, (((requireDay(schedule) - isoWeekday(from)) % 7) + 7) % 7);
    case 'month': {
      const day = requireDay(schedule);
      const inMonth = dayInMonth(from.slice(0, 7), day);
      return inMonth >= from ? inMonth : dayInMonth(nextMonth(from.slice(0, 7)), day);
    }
  }
}

/** The due date after `date`. */
export function nextDue(schedule: Schedule, date: string): string {
  return firstDue(schedule, addDays(date, 1));
}

function requireDay(schedule: Schedule): number {
  if (schedule.day === undefined)
    throw new Error(`a ${schedule.every}ly schedule needs its day (settle() gives it one)`);
  return schedule.day;
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  return ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
}

/** Day `day` of month YYYY-MM, or the month's last day when it has fewer. */
function dayInMonth(month: string, day: number): string {
  const last = lastDayOf(month);
  return Number(last.slice(8)) <= day ? last : `${month}-${String(day).padStart(2, '0')}`;
}
