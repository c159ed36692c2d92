import {
  addDays,
  canonicalTimeZone,
  isCalendarDate,
  isTimeZone,
  lastDayOf,
  nextMonth,
  periodRange,
  previousMonth,
  todayIn,
} from './calendar';

describe('calendar', () => {
  it('accepts only real dates', () => {
    expect(isCalendarDate('2026-11-24')).toBe(true);
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-1')).toBe(false);
    expect(isCalendarDate('2026-11-24T00:00:00Z')).toBe(false);
  });

  it('knows today in a time zone', () => {
    const instant = new Date('2026-11-24T23:30:00Z');
    expect(todayIn('UTC', instant)).toBe('2026-11-24');
    expect(todayIn('Asia/Tokyo', instant)).toBe('2026-11-25');
    expect(todayIn('America/Los_Angeles', instant)).toBe('2026-11-24');
  });

  it('turns the date at the zone’s midnight to the millisecond, asked minute after minute in one process', () => {
    // Kathmandu is UTC+05:45: its midnight is 18:15 UTC. Each instant is asked right after the one before.
    const asked = ['18:13:59.999', '18:14:00.000', '18:14:59.999', '18:15:00.000', '18:15:00.001', '18:14:59.999'].map(
      (time) => todayIn('Asia/Kathmandu', new Date(`2026-11-24T${time}Z`)),
    );
    expect(asked).toEqual(['2026-11-24', '2026-11-24', '2026-11-24', '2026-11-25', '2026-11-25', '2026-11-24']);
    // Berlin's clocks went back at 01:00 UTC on 2026-10-25; midnight that night was 23:00 UTC (CET).
    const night = ['2026-10-25T22:59:59.999Z', '2026-10-25T23:00:00.000Z'].map((instant) =>
      todayIn('Europe/Berlin', new Date(instant)),
    );
    expect(night).toEqual(['2026-10-25', '2026-10-26']);
    // Another zone in the same minute gets its own date.
    expect(todayIn('Pacific/Kiritimati', new Date('2026-11-24T18:15:00.000Z'))).toBe('2026-11-25');
    expect(todayIn('Pacific/Pago_Pago', new Date('2026-11-24T18:15:00.000Z'))).toBe('2026-11-24');
  });

  it('validates and canonicalises zones', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Base')).toBe(false);
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
  });

  it('computes periods', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(periodRange('week', '2026-11-24')).toEqual({ from: '2026-11-18', to: '2026-11-24' });
    expect(periodRange('month', '2026-11-24')).toEqual({ from: '2026-11-01', to: '2026-11-24' });
    expect(periodRange('year', '2026-11-24')).toEqual({ from: '2026-01-01', to: '2026-11-24' });
    expect(periodRange('yesterday', '2026-01-01')).toEqual({ from: '2025-12-31', to: '2025-12-31' });
    expect(periodRange('all', '2026-01-01')).toEqual({});
  });

  it('steps months across years and keeps four-digit years', () => {
    expect([nextMonth('2025-12'), nextMonth('2026-01'), nextMonth('0999-12'), nextMonth('0100-05')]).toEqual([
      '2026-01',
      '2026-02',
      '1000-01',
      '0100-06',
    ]);
    expect([
      previousMonth('2026-01'),
      previousMonth('2026-03'),
      previousMonth('1000-01'),
      previousMonth('0100-10'),
    ]).toEqual(['2025-12', '2026-02', '0999-12', '0100-09']);
  });

  it('knows the last day of each month, leap Februaries included', () => {
    expect(['2024-02', '2025-02', '2000-02', '1900-02', '2026-04', '2026-12', '0100-01'].map(lastDayOf)).toEqual([
      '2024-02-29',
      '2025-02-28',
      '2000-02-29',
      '1900-02-28',
      '2026-04-30',
      '2026-12-31',
      '0100-01-31',
    ]);
  });
});
