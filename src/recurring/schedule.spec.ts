import { firstDue, isoWeekday, nextDue, settle } from './schedule';

describe('recurring schedule', () => {
  it("monthly on day 31 falls on each short month's last day, and back on the 31st after", () => {
    const monthly31 = { every: 'month' as const, day: 31 };
    const dates = [firstDue(monthly31, '2026-01-01')];
    for (let i = 0; i < 4; i++) dates.push(nextDue(monthly31, dates[dates.length - 1]));
    expect(dates).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31']);
    expect(nextDue(monthly31, '2028-01-31')).toBe('2028-02-29');
  });

  it('monthly: a start after the day waits for next month; the year turns', () => {
    expect(firstDue({ every: 'month', day: 15 }, '2026-11-16')).toBe('2026-12-15');
    expect(firstDue({ every: 'month', day: 15 }, '2026-11-15')).toBe('2026-11-15');
    expect(nextDue({ every: 'month', day: 15 }, '2026-12-15')).toBe('2027-01-15');
    // Without a day, the start's day of month or weekday.
    expect(settle('month', undefined, '2026-11-27')).toEqual({ every: 'month', day: 27 });
    expect(settle('week', undefined, '2026-11-27')).toEqual({ every: 'week', day: 5 });
    expect(settle('day', 3, '2026-11-27')).toEqual({ every: 'day' });
  });

  it('weekly on an ISO weekday; daily every day', () => {
    expect(isoWeekday('2026-11-23')).toBe(1); // a Monday
    expect(isoWeekday('2026-11-29')).toBe(7);
    expect(firstDue({ every: 'week', day: 5 }, '2026-11-23')).toBe('2026-11-27');
    expect(firstDue({ every: 'week', day: 1 }, '2026-11-24')).toBe('2026-11-30');
    expect(nextDue({ every: 'week', day: 5 }, '2026-11-27')).toBe('2026-12-04');
    expect(firstDue({ every: 'day' }, '2026-12-31')).toBe('2026-12-31');
    expect(nextDue({ every: 'day' }, '2026-12-31')).toBe('2027-01-01');
  });
});
