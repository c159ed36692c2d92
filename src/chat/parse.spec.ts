import { parseAdd, parseFilter, startsWithAmount } from './parse';

const today = '2026-11-24';

describe('parseAdd', () => {
  it.each([
    ['12 food', { amount: '12', category: 'food', description: '' }],
    ['12.50 food lunch with Ann', { amount: '12.50', category: 'food', description: 'lunch with Ann' }],
    ['12,50 food', { amount: '12.50', category: 'food' }],
    ['€12 food', { amount: '12', currency: 'EUR', category: 'food' }],
    ['12€ food', { amount: '12', currency: 'EUR', category: 'food' }],
    ['$12 food', { amount: '12', currency: 'USD' }],
    ['£12 food', { amount: '12', currency: 'GBP' }],
    ['¥1200 sushi', { amount: '1200', currency: 'JPY', category: 'sushi' }],
    ['12 EUR food', { amount: '12', currency: 'EUR', category: 'food' }],
    ['€12 EUR food', { amount: '12', currency: 'EUR', category: 'food' }],
    ['12 food lunch @2026-11-20', { category: 'food', description: 'lunch', date: '2026-11-20' }],
    ['12 food @yesterday', { date: '2026-11-23', description: '' }],
    ['12 food @today', { date: '2026-11-24' }],
    ['12 food @Yesterday', { date: '2026-11-23' }],
    ['  12   food   two  words ', { description: 'two words' }],
    ['12 Eur food', { currency: undefined, category: 'Eur', description: 'food' }],
  ])('reads %p', (text, expected) => {
    const parsed = parseAdd(text, today);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value).toMatchObject(expected);
  });

  it.each([
    ['', /amount and a category/],
    ['food 12', /"food" is not an amount/],
    ['12', /category after the amount/],
    ['12 EUR', /category after the amount/],
    ['€12$ food', /two currency symbols/],
    ['€12 USD food', /two different currencies/],
    ['12 food @someday', /not a date I know/],
    ['12 food @2026-1-1', /not a date I know/],
    ['-5 food', /not an amount/],
    ['1e3 food', /not an amount/],
    ['12 @today', /category after the amount/],
  ])('explains what is wrong with %p', (text, message) => {
    const parsed = parseAdd(text, today);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toMatch(message);
      expect(parsed.error).toMatch(/\/add|@today/);
    }
  });

  it('recognises a quick add', () => {
    expect(startsWithAmount('12.5 food lunch')).toBe(true);
    expect(startsWithAmount('€3 coffee')).toBe(true);
    expect(startsWithAmount('hello there')).toBe(false);
    expect(startsWithAmount('')).toBe(false);
  });
});

describe('parseFilter', () => {
  it.each([
    ['', { period: 'all' }],
    ['food', { category: 'food', period: 'all' }],
    ['week', { period: 'week' }],
    ['MONTH', { period: 'month' }],
    ['food today', { category: 'food', period: 'today' }],
    ['food Year', { category: 'food', period: 'year' }],
  ])('reads %p', (text, expected) => {
    expect(parseFilter(text)).toEqual({ ok: true, value: expected });
  });

  it.each(['food someday', 'a b c'])('explains what is wrong with %p', (text) => {
    const parsed = parseFilter(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/\/list food week/);
  });
});
