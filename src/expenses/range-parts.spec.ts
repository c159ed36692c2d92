import { rangeParts } from './totals.repository';

const months = (from?: string, to?: string) => ({ table: 'expense_month', column: 'month', from, to });
const days = (from?: string, to?: string) => ({ table: 'expense_day', column: 'date', from, to });

describe('rangeParts: a date range as whole months plus the days at its ends', () => {
  it.each([
    ['no ends: every month', undefined, undefined, [months()]],
    ['a calendar year: its 12 months only', '2025-01-01', '2025-12-31', [months('2025-01', '2025-12')]],
    ['one whole month', '2024-02-01', '2024-02-29', [months('2024-02', '2024-02')]],
    [
      'ends inside months: the months between, and both ends as days',
      '2025-01-15',
      '2025-04-10',
      [months('2025-02', '2025-03'), days('2025-01-15', '2025-01-31'), days('2025-04-01', '2025-04-10')],
    ],
    [
      'open start, end inside a month',
      undefined,
      '2025-03-10',
      [months(undefined, '2025-02'), days('2025-03-01', '2025-03-10')],
    ],
    [
      'start inside a month, open end',
      '2025-12-31',
      undefined,
      [months('2026-01', undefined), days('2025-12-31', '2025-12-31')],
    ],
    ['inside one month: days only', '2025-03-05', '2025-03-20', [days('2025-03-05', '2025-03-20')]],
    [
      'across two part months: days only, not both months twice',
      '2025-03-05',
      '2025-04-10',
      [days('2025-03-05', '2025-04-10')],
    ],
    [
      'February of a leap year ends on the 29th, not the 28th',
      '2024-01-10',
      '2024-02-28',
      [days('2024-01-10', '2024-02-28')],
    ],
    ['a year across December to January', '2024-12-01', '2025-01-31', [months('2024-12', '2025-01')]],
    [
      "starts inside the calendar's last month: no whole month follows",
      '9999-12-15',
      undefined,
      [days('9999-12-15', undefined)],
    ],
  ])('%s', (_name, from, to, parts) => {
    expect(rangeParts(from, to)).toEqual(parts);
  });

  it('covers every day of a range exactly once', () => {
    const all: string[] = [];
    for (let day = Date.UTC(2023, 11, 1); day <= Date.UTC(2025, 2, 31); day += 86_400_000)
      all.push(new Date(day).toISOString().slice(0, 10));
    for (let i = 0; i < 400; i++) {
      const a = all[(i * 37) % all.length];
      const b = all[(i * 101 + 13) % all.length];
      const [from, to] = a <= b ? [a, b] : [b, a];
      const parts = rangeParts(from, to);
      const times = (date: string) =>
        parts.filter((part) => {
          const key = part.column === 'month' ? date.slice(0, 7) : date;
          return (part.from === undefined || key >= part.from) && (part.to === undefined || key <= part.to);
        }).length;
      expect(all.map((date) => `${date}:${times(date)}`)).toEqual(
        all.map((date) => `${date}:${date >= from && date <= to ? 1 : 0}`),
      );
    }
  });
});
