import { dedupKey, ExpenseContent, normaliseText } from './dedup-key';

const base: ExpenseContent = {
  ledgerId: 1,
  amountMinor: 1250n,
  currency: 'USD',
  category: 'food',
  description: 'Lunch with Ann',
  date: '2026-11-24',
};

describe('dedup key', () => {
  it('normalises white space, case and Unicode form', () => {
    expect(normaliseText('  Lunch \t with\n\nANN ')).toBe('lunch with ann');
    expect(normaliseText('Cafe\u0301')).toBe(normaliseText('Caf\u00e9'));
  });

  it('is the same for the same content written differently', () => {
    expect(dedupKey({ ...base, description: '  lunch   WITH ann' }, 1)).toBe(dedupKey(base, 1));
    expect(dedupKey({ ...base, category: 'FOOD' }, 1)).toBe(dedupKey(base, 1));
  });

  it.each([
    ['ledger', { ledgerId: 2 }],
    ['amount', { amountMinor: 1251n }],
    ['currency', { currency: 'EUR' }],
    ['category', { category: 'travel' }],
    ['description', { description: 'Dinner' }],
    ['date', { date: '2026-11-25' }],
  ])('changes with the %s', (_field, change) => {
    expect(dedupKey({ ...base, ...change }, 1)).not.toBe(dedupKey(base, 1));
  });

  it('gives each occurrence its own key', () => {
    expect(dedupKey(base, 2)).not.toBe(dedupKey(base, 1));
  });

  it('cannot be forged by moving text between fields', () => {
    expect(dedupKey({ ...base, category: 'a', description: 'b c' }, 1)).not.toBe(
      dedupKey({ ...base, category: 'a b', description: 'c' }, 1),
    );
  });
});
