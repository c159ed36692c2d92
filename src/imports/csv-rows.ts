import { isCalendarDate } from '../common/calendar';
import { InvalidInputError } from '../common/domain-errors';
import { ruleAmount, ruleCategory, ruleCurrency, ruleDescription } from '../expenses/expense-rules';
import type { ExpenseContent } from '../expenses/dedup-key';

/**
 * How a CSV file is read (docs/API.md §9): the query options of an import, and
 * one row → the content of one expense or a message naming the column at fault.
 * Pure: no I/O, so every rule is tested without a server.
 */
export type DateFormat = 'YYYY-MM-DD' | 'DD.MM.YYYY' | 'MM/DD/YYYY' | 'DD/MM/YYYY';
export const DATE_FORMATS: readonly DateFormat[] = ['YYYY-MM-DD', 'DD.MM.YYYY', 'MM/DD/YYYY', 'DD/MM/YYYY'];

export interface ImportOptions {
  /** The decimal mark of amounts. */
  decimal: '.' | ',';
  dateFormat: DateFormat;
  delimiter: ',' | ';' | '\t';
}

export const REQUIRED_COLUMNS = ['date', 'amount', 'category'] as const;
export const OPTIONAL_COLUMNS = ['currency', 'description'] as const;
export type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];
/** A header wider than this is not an expense file. */
export const MAX_COLUMNS = 100;

/** Reads and checks the query options; InvalidInputError names the one at fault. */
export function importOptions(query: { decimal?: unknown; dateFormat?: unknown; delimiter?: unknown }): ImportOptions {
  const decimal = query.decimal ?? '.';
  if (decimal !== '.' && decimal !== ',') throw new InvalidInputError('decimal must be "." or ","');
  const dateFormat = query.dateFormat ?? 'YYYY-MM-DD';
  if (!DATE_FORMATS.includes(dateFormat as DateFormat))
    throw new InvalidInputError(`dateFormat must be one of ${DATE_FORMATS.join(', ')}`);
  const delimiter = query.delimiter === 'tab' ? '\t' : (query.delimiter ?? ',');
  if (delimiter !== ',' && delimiter !== ';' && delimiter !== '\t')
    throw new InvalidInputError('delimiter must be ",", ";" or "tab"');
  if (decimal === ',' && delimiter === ',')
    throw new InvalidInputError('decimal "," needs another delimiter, such as delimiter=;');
  return { decimal, dateFormat: dateFormat as DateFormat, delimiter };
}

/** Where each known column is in the header (names matched case-insensitively); InvalidInputError when one required is missing. */
export function columnIndexes(header: string[]): Partial<Record<Column, number>> {
  if (header.length > MAX_COLUMNS)
    throw new InvalidInputError(`the header has ${header.length} columns; an expense file has at most ${MAX_COLUMNS}`);
  const indexes: Partial<Record<Column, number>> = {};
  header.forEach((name, index) => {
    const column = name
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase() as Column;
    if (([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS] as string[]).includes(column) && indexes[column] === undefined)
      indexes[column] = index;
  });
  const missing = REQUIRED_COLUMNS.filter((column) => indexes[column] === undefined);
  if (missing.length) {
    throw new InvalidInputError(
      `the header must name the columns ${REQUIRED_COLUMNS.join(', ')} (missing: ${missing.join(', ')}; found: ${header.slice(0, 10).join(', ') || 'nothing'})`,
    );
  }
  return indexes;
}

export type RowOutcome = { ok: true; content: ExpenseContent } | { ok: false; message: string };

/** One data row → an expense's content, by the same rules as a create; or what is wrong, naming the column. */
export function readRow(
  fields: string[],
  header: { length: number; indexes: Partial<Record<Column, number>> },
  options: ImportOptions,
  ledger: { id: number; currency: string },
): RowOutcome {
  if (fields.length !== header.length)
    return { ok: false, message: `the row has ${fields.length} fields, the header ${header.length}` };
  const cell = (column: Column) => {
    const index = header.indexes[column];
    return index === undefined ? undefined : unescapeFormula(fields[index].trim());
  };
  try {
    // Checked in the order of the contract's columns, so the first message names the first column at fault.
    const date = readDate(cell('date') ?? '', options.dateFormat);
    const currencyCell = cell('currency');
    const currency = ruleCurrency(currencyCell ? currencyCell : undefined, ledger.currency);
    const amountMinor = ruleAmount(readAmount(cell('amount') ?? '', options), currency).minor;
    return {
      ok: true,
      content: {
        ledgerId: ledger.id,
        amountMinor,
        currency,
        category: ruleCategory(cell('category') ?? ''),
        description: ruleDescription(cell('description') ?? ''),
        date,
      },
    };
  } catch (error) {
    if (error instanceof InvalidInputError) return { ok: false, message: error.message };
    throw error;
  }
}

function readAmount(text: string, options: ImportOptions): string {
  if (options.decimal === '.') return text;
  if (text.includes('.'))
    throw new InvalidInputError(
      `amount must use "," as its decimal mark here (decimal=,), got ${JSON.stringify(text)}`,
    );
  return text.replace(',', '.');
}

const DATE_PATTERNS: Record<DateFormat, { pattern: RegExp; order: [number, number, number] }> = {
  'YYYY-MM-DD': { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, order: [1, 2, 3] },
  'DD.MM.YYYY': { pattern: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: [3, 2, 1] },
  'MM/DD/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 1, 2] },
  'DD/MM/YYYY': { pattern: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: [3, 2, 1] },
};

function readDate(text: string, format: DateFormat): string {
  const { pattern, order } = DATE_PATTERNS[format];
  const match = pattern.exec(text);
  const iso = match ? `${match[order[0]]}-${match[order[1]].padStart(2, '0')}-${match[order[2]].padStart(2, '0')}` : '';
  if (!match || !isCalendarDate(iso)) {
    throw new InvalidInputError(
      `date must be a real calendar date written ${format}, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return iso;
}

/** Tally's export prefixes cells starting with = + - @ with a quote so spreadsheets do not run them; take it off again. */
function unescapeFormula(text: string): string {
  return /^'[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}
