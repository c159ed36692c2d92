import DecimalJs from 'decimal.js';
import { Currency, findCurrency } from './currency';

/** Enough significant digits for any amount and any sum we handle; decimal.js's default is 20. */
const Decimal = DecimalJs.clone({ precision: 60 });

/** The largest amount one expense may carry, in major units (docs/API.md §3). */
export const MAX_MAJOR_UNITS = new Decimal('1000000000000');

/** Plain decimal notation only: no sign, exponent, separators or spaces. */
const PLAIN_DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A JSON number reaches us as a double. Up to 15 significant digits a decimal
 * literal survives that round trip exactly, so String(n) gives back what the
 * client wrote; beyond that we refuse rather than guess.
 */
const MAX_EXACT_NUMBER_DIGITS = 15;

export class MoneyError extends Error {}

/** An exact amount in integer minor units of one currency. */
export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: Currency,
  ) {}

  static ofMinor(minor: bigint | number | string, currencyCode: string): Money {
    return new Money(BigInt(minor), requireCurrency(currencyCode));
  }

  /**
   * Parses user input ("12", "12.5", 12.5) into minor units, enforcing every
   * rule of docs/API.md §3. Messages are written to follow the field name.
   */
  static parse(input: unknown, currencyCode: string): Money {
    const currency = requireCurrency(currencyCode);
    const text = amountText(input);
    const match = PLAIN_DECIMAL.exec(text);
    if (!match && PLAIN_DECIMAL.test(text.replace(/^-/, ''))) throw new MoneyError('must be greater than 0');
    if (!match) {
      throw new MoneyError('must be a plain decimal number such as 12.50 (no sign, exponent, separators or spaces)');
    }
    const fraction = match[2] ?? '';
    if (fraction.length > currency.digits) {
      throw new MoneyError(
        currency.digits === 0
          ? `must be a whole number for ${currency.code}`
          : `must have at most ${currency.digits} decimal places for ${currency.code}`,
      );
    }
    const major = new Decimal(text);
    if (major.lte(0)) throw new MoneyError('must be greater than 0');
    if (major.gt(MAX_MAJOR_UNITS)) throw new MoneyError('must be at most 1000000000000');
    const minor = major.times(`1e${currency.digits}`); // exact, and cheaper than Decimal(10).pow(digits)
    return new Money(BigInt(minor.toFixed(0)), currency);
  }

  /** "12.50" for USD, "1200" for JPY, "1.250" for BHD. */
  format(): string {
    return formatMinor(this.minor, this.currency.digits);
  }

  /** "12.50 USD", the form the bot replies with. */
  toString(): string {
    return `${this.format()} ${this.currency.code}`;
  }
}

/** Integer minor units to a decimal string with exactly `digits` fraction digits. */
export function formatMinor(minor: bigint, digits: number): string {
  const sign = minor < 0n ? '-' : '';
  const text = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits);
  return digits === 0 ? sign + whole : `${sign}${whole}.${text.slice(text.length - digits)}`;
}

function requireCurrency(code: string): Currency {
  const currency = findCurrency(code);
  if (!currency) throw new MoneyError(`currency ${JSON.stringify(code)} is not an ISO 4217 code`);
  return currency;
}

function amountText(input: unknown): string {
  if (typeof input === 'string') return input;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new MoneyError('must be a finite number');
    const text = String(input);
    const significant = text.replace(/^[-0.]+/, '').replace('.', '').length;
    if (/e/i.test(text) || significant > MAX_EXACT_NUMBER_DIGITS) {
      throw new MoneyError('has too many digits to send as a JSON number; send it as a string such as "12.50"');
    }
    return text;
  }
  throw new MoneyError('must be a string or number such as "12.50"');
}
