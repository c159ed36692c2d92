import type { ExpensesService } from '../expenses/expenses.service';
import type { ExpenseView } from '../expenses/expense.view';
import type { Ledger } from '../ledgers/ledger.entity';

/**
 * How the chat names an expense: its short number (`12` or `#12`, as /list
 * shows it) or its long REST id. Undefined when the text is neither.
 */
export type ExpenseRef = { number: number } | { id: string };

export function parseRef(text: string): ExpenseRef | undefined {
  const word = text.trim().replace(/^#/, '');
  if (/^\d{1,9}$/.test(word)) return { number: Number(word) };
  if (/^[0-9a-z]{10,32}$/i.test(word)) return { id: word.toLowerCase() };
  return undefined;
}

export function refLabel(ref: ExpenseRef): string {
  return 'number' in ref ? `#${ref.number}` : ref.id;
}

/** The live expense a reference names in this ledger; NotFoundError otherwise. */
export function findByRef(expenses: ExpensesService, ledger: Ledger, ref: ExpenseRef): Promise<ExpenseView> {
  return 'number' in ref ? expenses.getByNumber(ledger, ref.number) : expenses.get(ledger, ref.id);
}
