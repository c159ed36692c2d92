import { addDays, canonicalTimeZone, isCalendarDate, isTimeZone, periodRange, todayIn } from './calendar';

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
});
