import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { ExpenseView } from './expense.view';

export const CSV_COLUMNS = [
  'id',
  'date',
  'amount',
  'currency',
  'category',
  'description',
  'source',
  'author',
  'createdAt',
];

/**
 * Streams expenses as CSV: csv-stringify quotes commas, quotes and newlines,
 * and escape_formulas defuses cells starting with = + - @ for spreadsheets.
 */
export function expensesCsv(expenses: AsyncIterable<ExpenseView>): Readable {
  const rows = Readable.from(
    (async function* () {
      for await (const expense of expenses) {
        yield [
          expense.id,
          expense.date,
          expense.amount,
          expense.currency,
          expense.category,
          expense.description,
          expense.source,
          expense.author?.name ?? '',
          expense.createdAt,
        ];
      }
    })(),
  );
  return rows.pipe(
    stringify({ header: true, columns: CSV_COLUMNS, escape_formulas: true, record_delimiter: 'windows' }),
  );
}
