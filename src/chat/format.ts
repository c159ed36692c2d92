import type { Period } from '../common/calendar';
import type { ExpenseView } from '../expenses/expense.view';
import type { Totals } from '../expenses/totals';
import type { ChangeSet } from '../expenses/expense-history';

/** Telegram's limit is 4096; leave room so a page is never cut mid-line. */
export const MESSAGE_BUDGET = 3900;

const PERIOD_LABELS: Record<Period, string> = {
  today: 'today',
  yesterday: 'yesterday',
  week: 'the last 7 days',
  month: 'this month',
  year: 'this year',
  all: 'all time',
};

export function periodLabel(period: Period): string {
  return PERIOD_LABELS[period];
}

/** A command's answer, and whether it says what was wrong (Slack shows those only to the one who asked). */
export interface ChatAnswer {
  text: string;
  mistake: boolean;
}

export const answer = (text: string): ChatAnswer => ({ text, mistake: false });
export const mistake = (text: string): ChatAnswer => ({ text, mistake: true });

/** "12.50 USD · 3.00 EUR"; "nothing" when empty. */
export function formatTotals(totals: Totals): string {
  const parts = Object.entries(totals).map(([currency, amount]) => `${amount} ${currency}`);
  return parts.length ? parts.join(' · ') : 'nothing';
}

export function formatExpense(expense: ExpenseView): string {
  const description = expense.description ? ` (${shorten(expense.description, 60)})` : '';
  return `${expense.amount} ${expense.currency} for ${expense.category}${description} on ${expense.date}`;
}

/** One list line; group chats also name who added it. */
export function listLine(expense: ExpenseView, withAuthor: boolean): string {
  const description = expense.description ? ` — ${shorten(expense.description, 40)}` : '';
  const author = withAuthor && expense.author ? ` · ${shorten(expense.author.name, 24)}` : '';
  return `#${expense.number}  ${expense.date}  ${expense.amount} ${expense.currency}  ${expense.category}${description}${author}`;
}

/** "amount 12.50 → 13.50, date 2026-11-20 → 2026-11-21" */
export function formatChanges(changes: ChangeSet): string {
  return Object.entries(changes)
    .map(
      ([field, change]) => `${field} ${shorten(change.from || '(none)', 30)} → ${shorten(change.to || '(none)', 30)}`,
    )
    .join(', ');
}

export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** How many of the lines fit in one message after the header and footer. */
export function linesThatFit(header: string, lines: string[], footer: string): number {
  let used = header.length + footer.length + 2;
  for (let i = 0; i < lines.length; i++) {
    used += lines[i].length + 1;
    if (used > MESSAGE_BUDGET) return i;
  }
  return lines.length;
}

export const HELP = [
  "Tally keeps this chat's expenses. Each chat has its own ledger; in a group everyone shares one.",
  '',
  '/add 12.50 food lunch with Ann: record an expense',
  '/add €12 travel taxi @yesterday: with a currency and a date',
  '12.5 food lunch: in a private chat, just write it',
  '/list food week: newest first (category and period optional)',
  '/total month: totals per currency and per category',
  '/undo: remove the last expense you added here',
  '/delete 12: remove expense #12 (the numbers are in /list)',
  '/edit 12 13.50 food dinner: correct expense #12; or just edit the message you sent',
  '/budget food 300: a monthly limit (alerts at 80% and 100%); /budgets shows them; /budget food off removes it',
  '/recurring add 9.99 subscriptions netflix monthly 15: recorded on each due date; /recurring lists, /recurring stop 3 ends one',
  '/chart month: a picture of spending per category and over time',
  '/export: all expenses as a CSV file; send a CSV file to import one',
  "/currency EUR, /timezone Europe/Berlin: this chat's defaults",
  '/token: an API token for this ledger (private chats only); /tokens lists them, /revoke 3 revokes one',
  '/app: open Tally as an app inside Telegram',
  '',
  'Periods: today, yesterday, week, month, year, all.',
].join('\n');
