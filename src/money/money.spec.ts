import { Money, MoneyError } from './money';
import { findCurrency } from './currency';

describe('Money.parse', () => {
  it.each([
    ['12', 'USD', 1200n, '12.00'],
    ['12.5', 'USD', 1250n, '12.50'],
    ['12.50', 'USD', 1250n, '12.50'],
    [12.5, 'USD', 1250n, '12.50'],
    ['0.01', 'USD', 1n, '0.01'],
    ['1200', 'JPY', 1200n, '1200'],
    [1200, 'JPY', 1200n, '1200'],
    ['1.25', 'BHD', 1250n, '1.250'],
    ['1.250', 'BHD', 1250n, '1.250'],
    ['1000000000000', 'USD', 100000000000000n, '1000000000000.00'],
    ['1000000000000.000', 'BHD', 1000000000000000n, '1000000000000.000'],
    ['007.10', 'USD', 710n, '7.10'],
  ])('parses %p %s exactly', (input, currency, minor, formatted) => {
    const money = Money.parse(input, currency);
    expect(money.minor).toBe(minor);
    expect(money.format()).toBe(formatted);
  });

  it('adds no float error: 0.1 + 0.2 style inputs stay exact', () => {
    expect(Money.parse('0.10', 'USD').minor + Money.parse('0.20', 'USD').minor).toBe(30n);
    expect(Money.parse(0.29, 'USD').minor).toBe(29n);
    expect(Money.parse('1.005', 'BHD').format()).toBe('1.005');
  });

  it.each([
    ['12.345', 'USD', 'must have at most 2 decimal places for USD'],
    ['12.5', 'JPY', 'must be a whole number for JPY'],
    ['1.2345', 'BHD', 'must have at most 3 decimal places for BHD'],
    ['0', 'USD', 'must be greater than 0'],
    ['0.00', 'USD', 'must be greater than 0'],
    ['-5', 'USD', 'must be greater than 0'],
    [-5, 'USD', 'must be greater than 0'],
    ['1000000000000.01', 'USD', 'must be at most 1000000000000'],
    ['1e3', 'USD', 'plain decimal'],
    [1e21, 'USD', 'too many digits'],
    ['+5', 'USD', 'plain decimal'],
    ['1,000', 'USD', 'plain decimal'],
    ['1 000', 'USD', 'plain decimal'],
    [' 12', 'USD', 'plain decimal'],
    ['12.', 'USD', 'plain decimal'],
    ['.5', 'USD', 'plain decimal'],
    ['', 'USD', 'plain decimal'],
    ['abc', 'USD', 'plain decimal'],
    ['Infinity', 'USD', 'plain decimal'],
    [Number.NaN, 'USD', 'finite'],
    [true, 'USD', 'string or number'],
    [null, 'USD', 'string or number'],
    [{}, 'USD', 'string or number'],
    // eslint-disable-next-line no-loss-of-precision -- the point: a float that cannot hold these digits is refused
    [12345678901.234567, 'USD', 'too many digits'],
  ])('refuses %p %s', (input, currency, message) => {
    expect(() => Money.parse(input, currency)).toThrow(MoneyError);
    expect(() => Money.parse(input, currency)).toThrow(message);
  });

  it('refuses an unknown currency', () => {
    expect(() => Money.parse('1', 'XYZ')).toThrow('not an ISO 4217 code');
    expect(() => Money.parse('1', 'usd')).toThrow('not an ISO 4217 code');
  });

  it('formats large minor amounts exactly, beyond 2^53', () => {
    expect(Money.ofMinor(123456789012345678901n, 'USD').format()).toBe('1234567890123456789.01');
    expect(Money.ofMinor(5n, 'BHD').toString()).toBe('0.005 BHD');
  });
});

describe('currency table', () => {
  it('knows the minor digits of ISO 4217 currencies', () => {
    expect(findCurrency('USD')?.digits).toBe(2);
    expect(findCurrency('JPY')?.digits).toBe(0);
    expect(findCurrency('BHD')?.digits).toBe(3);
    expect(findCurrency('EUR')?.digits).toBe(2);
    expect(findCurrency('ABC')).toBeUndefined();
  });
});
