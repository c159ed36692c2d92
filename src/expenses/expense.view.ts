import { Money } from '../money/money';
import type { ExpenseSource } from './expense.entity';

/** Who recorded or changed an expense in a chat: a Telegram user or a Slack user. */
export interface ExpenseAuthor {
  telegramId?: number;
  slackId?: string;
  name: string;
}

/** The author columns of an expense or change row; one mapping both ways. */
export interface AuthorColumns {
  author_telegram_id: number | bigint | string | null;
  author_slack_id: string | null;
  author_name: string | null;
}

export function authorColumns(author: ExpenseAuthor | undefined): AuthorColumns {
  return {
    author_telegram_id: author?.telegramId ?? null,
    author_slack_id: author?.slackId ?? null,
    author_name: author?.name ?? null,
  };
}

export function authorOf(row: AuthorColumns): ExpenseAuthor | undefined {
  if (row.author_telegram_id !== null && row.author_telegram_id !== undefined)
    return { telegramId: Number(row.author_telegram_id), name: row.author_name ?? '' };
  if (row.author_slack_id) return { slackId: row.author_slack_id, name: row.author_name ?? '' };
  return undefined;
}

/** An expense as every front door shows it (docs/API.md §5's JSON shape, with §7's number and updatedAt). */
export interface ExpenseView {
  id: string;
  /** Short number within the ledger: #12 in the chat. */
  number: number;
  amount: string;
  currency: string;
  category: string;
  description: string;
  date: string;
  source: ExpenseSource;
  createdAt: string;
  /** Only once the expense has been edited. */
  updatedAt?: string;
  author?: ExpenseAuthor;
}

/** The columns ExpensesService selects; one mapping from row to view. */
export const EXPENSE_COLUMNS = [
  'seq',
  'id',
  'number',
  'version',
  'amount_minor',
  'currency',
  'category',
  'description',
  'date',
  'source',
  'author_telegram_id',
  'author_slack_id',
  'author_name',
  'created_at',
  'updated_at',
] as const;

export interface ExpenseRow extends AuthorColumns {
  seq: number;
  id: string;
  number: number;
  version: number;
  amount_minor: number | bigint | string;
  currency: string;
  category: string;
  description: string;
  date: string;
  source: ExpenseSource;
  created_at: string;
  updated_at: string | null;
}

export function toView(row: ExpenseRow): ExpenseView {
  const view: ExpenseView = {
    id: row.id,
    number: Number(row.number),
    amount: Money.ofMinor(BigInt(row.amount_minor), row.currency).format(),
    currency: row.currency,
    category: row.category,
    description: row.description,
    date: row.date,
    source: row.source,
    createdAt: row.created_at,
  };
  if (row.updated_at) view.updatedAt = row.updated_at;
  const author = authorOf(row);
  if (author) view.author = author;
  return view;
}

/** A strong ETag for one expense: its id and how many times it was edited. */
export function etagOf(row: Pick<ExpenseRow, 'id' | 'version'>): string {
  return `"${row.id}.${Number(row.version)}"`;
}
