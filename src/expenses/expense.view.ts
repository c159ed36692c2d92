import { Money } from '../money/money';
import type { ExpenseSource } from './expense.entity';

export interface ExpenseAuthor {
  telegramId: number;
  name: string;
}

/** An expense as every front door shows it (CONTRACT §5's JSON shape). */
export interface ExpenseView {
  id: string;
  amount: string;
  currency: string;
  category: string;
  description: string;
  date: string;
  source: ExpenseSource;
  createdAt: string;
  author?: ExpenseAuthor;
}

/** The columns ExpensesService selects; one mapping from row to view. */
export const EXPENSE_COLUMNS = [
  'seq',
  'id',
  'amount_minor',
  'currency',
  'category',
  'description',
  'date',
  'source',
  'author_telegram_id',
  'author_name',
  'created_at',
] as const;

export interface ExpenseRow {
  seq: number;
  id: string;
  amount_minor: number | bigint | string;
  currency: string;
  category: string;
  description: string;
  date: string;
  source: ExpenseSource;
  author_telegram_id: number | bigint | string | null;
  author_name: string | null;
  created_at: string;
}

export function toView(row: ExpenseRow): ExpenseView {
  const view: ExpenseView = {
    id: row.id,
    amount: Money.ofMinor(BigInt(row.amount_minor), row.currency).format(),
    currency: row.currency,
    category: row.category,
    description: row.description,
    date: row.date,
    source: row.source,
    createdAt: row.created_at,
  };
  if (row.author_telegram_id !== null && row.author_telegram_id !== undefined) {
    view.author = { telegramId: Number(row.author_telegram_id), name: row.author_name ?? '' };
  }
  return view;
}
