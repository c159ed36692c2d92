import type { ExpenseSource } from './expense.entity';
import { AuthorColumns, authorOf, ExpenseAuthor, ExpenseView } from './expense.view';

/** The fields an edit may change, in the order history shows them. */
export const EDITABLE_FIELDS = ['amount', 'currency', 'category', 'description', 'date'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

/** Per changed field, its value before and after, as the JSON of an expense shows them. */
export type ChangeSet = Partial<Record<EditableField, { from: string; to: string }>>;

/** One entry of GET /expenses/:id/history. */
export interface ExpenseChangeView {
  at: string;
  source: ExpenseSource;
  author?: ExpenseAuthor;
  changes: ChangeSet;
}

export function diffViews(before: ExpenseView, after: ExpenseView): ChangeSet {
  const changes: ChangeSet = {};
  for (const field of EDITABLE_FIELDS) {
    if (before[field] !== after[field]) changes[field] = { from: before[field], to: after[field] };
  }
  return changes;
}

export interface ExpenseChangeRow extends AuthorColumns {
  at: string;
  source: ExpenseSource;
  changes: string;
}

export function toChangeView(row: ExpenseChangeRow): ExpenseChangeView {
  const view: ExpenseChangeView = { at: row.at, source: row.source, changes: JSON.parse(row.changes) as ChangeSet };
  const author = authorOf(row);
  if (author) view.author = author;
  return view;
}
