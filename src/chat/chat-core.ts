import { Injectable } from '@nestjs/common';
import { Period, periodRange, todayIn } from '../common/calendar';
import { Clock } from '../common/clock';
import { DomainError, DuplicateExpenseError, NotFoundError } from '../common/domain-errors';
import { WriteBatcher } from '../database/write-batcher';
import type { RawSql } from '../database/raw-sql';
import type { ExpenseSource } from '../expenses/expense.entity';
import type { ExpenseAuthor, ExpenseView } from '../expenses/expense.view';
import { ExpenseEdit, ExpenseFilter, ExpensesService } from '../expenses/expenses.service';
import { ruleCategory } from '../expenses/expense-rules';
import { IdempotencyService } from '../idempotency/idempotency.service';
import type { Ledger } from '../ledgers/ledger.entity';
import { LedgersService } from '../ledgers/ledgers.service';
import { ChatClaimsRepository, ChatPlatform } from './chat-claims.repository';
import { findByRef, parseRef, refLabel } from './expense-ref';
import {
  answer,
  ChatAnswer,
  formatChanges,
  formatExpense,
  formatTotals,
  linesThatFit,
  listLine,
  mistake,
  periodLabel,
} from './format';
import { ADD_USAGE, ParsedAdd, parseAdd, parseFilter } from './parse';

/** Who sent a chat message, from which front door, and when. */
export interface ChatTurn {
  source: Extract<ExpenseSource, 'telegram' | 'slack'>;
  author?: ExpenseAuthor;
  /** When the message was sent: dates count from that day, not the day it reached us (retries, downtime). */
  sentAt: Date;
  /** The message that records, so that editing it edits the expense (src/chat/chat-message.ts). */
  messageId?: number;
}

export type AddOutcome =
  { kind: 'error'; message: string } | { kind: 'created' | 'duplicate'; summary: string; id: string; number: number };

export interface ListPage {
  text: string;
  nextCursor?: string;
}

export type ResolvedFilter = { filter: ExpenseFilter; label: string } | { error: string };

/** How long a "Record again" button stays single-use in the idempotency table. */
const RECORD_AGAIN_KEY_MS = 30 * 86_400_000;

/**
 * What every chat front door does, in words: Telegram and Slack parse the same
 * grammar, record through the same service and answer with the same text.
 * Each front door only turns platform events into these calls and their
 * results into messages and buttons.
 */
@Injectable()
export class ChatCore {
  constructor(
    private readonly expenses: ExpensesService,
    private readonly ledgers: LedgersService,
    private readonly idempotency: IdempotencyService,
    private readonly claims: ChatClaimsRepository,
    private readonly batcher: WriteBatcher,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `work` exactly once per delivery: every key is claimed in the same
   * transaction as the work's writes (`tx`, handed to the work). Undefined when any key was claimed
   * before (a retry, a twin delivery, another instance); the caller then
   * answers nothing.
   */
  async once<T>(
    platform: ChatPlatform,
    keys: string[],
    ledgerName: string,
    work: (ledger: Ledger, tx: RawSql) => Promise<T>,
  ): Promise<{ value: T } | undefined> {
    return this.batcher.run(async (tx) => {
      for (const key of keys) if (!(await this.claims.claim(tx, platform, key))) return undefined;
      const ledger = await this.ledgers.findOrCreate(ledgerName);
      return { value: await work(ledger, tx) };
    });
  }

  /** An add in the bots' grammar: AMOUNT [CUR] CATEGORY [DESCRIPTION…] [@DATE]. */
  async add(ledger: Ledger, text: string, turn: ChatTurn): Promise<AddOutcome> {
    const sentOn = todayIn(ledger.timezone, turn.sentAt);
    const parsed = parseAdd(text, sentOn);
    if (!parsed.ok) return { kind: 'error', message: parsed.error };
    try {
      const result = await this.expenses.record(ledger, {
        ...parsed.value,
        date: parsed.value.date ?? sentOn,
        source: turn.source,
        author: turn.author,
        messageId: turn.messageId,
      });
      return {
        kind: result.created ? 'created' : 'duplicate',
        summary: formatExpense(result.expense),
        id: result.expense.id,
        number: result.expense.number,
      };
    } catch (error) {
      // Rule violations (too many decimals, unknown currency, bad date…) are the user's to fix.
      if (error instanceof DomainError)
        return { kind: 'error', message: `Not recorded: ${error.message}. ${ADD_USAGE}` };
      throw error;
    }
  }

  /**
   * The "Record again" button: one more copy of the expense, once per button
   * (`buttonKey` names the message that carries it), however often it is
   * pressed or delivered. Runs in `tx`, the delivery's claim transaction.
   */
  async recordAgain(
    tx: RawSql,
    ledger: Ledger,
    expenseId: string,
    buttonKey: string,
    turn: ChatTurn,
  ): Promise<{ recorded: boolean; text: string }> {
    let original: ExpenseView;
    try {
      original = await this.expenses.get(ledger, expenseId);
    } catch (error) {
      if (error instanceof NotFoundError)
        return { recorded: false, text: 'That expense was removed; send it again instead.' };
      throw error;
    }
    if (!(await this.idempotency.claimKey(tx, ledger.id, buttonKey, RECORD_AGAIN_KEY_MS)))
      return { recorded: false, text: 'Already recorded again.' };
    const result = await this.expenses.record(ledger, {
      amount: original.amount,
      currency: original.currency,
      category: original.category,
      description: original.description,
      date: original.date,
      source: turn.source,
      author: turn.author,
      allowDuplicate: true,
    });
    return { recorded: true, text: `Recorded again: ${formatExpense(result.expense)} as #${result.expense.number}.` };
  }

  /**
   * An edited chat message: the expense it recorded is corrected to read as the
   * new text. Undefined when that message recorded nothing (an edit of chatter).
   */
  async editByMessage(ledger: Ledger, messageId: number, text: string, turn: ChatTurn): Promise<string | undefined> {
    const recorded = await this.expenses.findByMessage(ledger, messageId);
    if (!recorded) return undefined;
    if (recorded.removed)
      return `#${recorded.expense.number} was removed, so this edit changes nothing. Send the expense again instead.`;
    // The message is read again as if it had been sent so: dates count from the day it was sent.
    const sentOn = todayIn(ledger.timezone, turn.sentAt);
    const parsed = parseAdd(text, sentOn);
    if (!parsed.ok) return `Not changed: ${parsed.error}`;
    const fields = {
      ...parsed.value,
      currency: parsed.value.currency ?? ledger.currency,
      date: parsed.value.date ?? sentOn,
    };
    return this.applyEdit(ledger, recorded.expense, fields, turn);
  }

  async applyEdit(ledger: Ledger, expense: ExpenseView, fields: ParsedAdd, turn: ChatTurn): Promise<string> {
    const edit: ExpenseEdit = { ...fields, source: turn.source, author: turn.author };
    try {
      const result = await this.expenses.edit(ledger, expense.id, edit);
      if (!result.changed) return `Nothing to change: #${expense.number} is already ${formatExpense(expense)}.`;
      return `Updated: ${formatExpense(result.expense)} (#${expense.number}; ${formatChanges(result.changes)}).`;
    } catch (error) {
      if (error instanceof DuplicateExpenseError) {
        return `Not changed: that would make #${expense.number} the same as #${error.existingNumber}. If #${error.existingNumber} is this one, /delete ${expense.number}.`;
      }
      if (error instanceof NotFoundError) return `#${expense.number} was removed, so nothing changed.`;
      if (error instanceof DomainError) return `Not changed: ${error.message}.`;
      throw error;
    }
  }

  /** `/delete 12` (or the long id): removes that expense of this ledger. */
  async remove(ledger: Ledger, text: string): Promise<ChatAnswer> {
    const ref = parseRef(text);
    if (!ref) return mistake('Write it like this: /delete 12, with the #number shown by /list.');
    try {
      const expense = await findByRef(this.expenses, ledger, ref);
      await this.expenses.remove(ledger, expense.id);
      return answer(`Removed ${formatExpense(expense)} (#${expense.number}).`);
    } catch (error) {
      if (error instanceof NotFoundError)
        return mistake(`No expense ${refLabel(ref)} in this chat. /list shows the numbers.`);
      throw error;
    }
  }

  async undo(ledger: Ledger, author: ExpenseAuthor | undefined): Promise<string> {
    const removed = author ? await this.expenses.removeLatestBy(ledger, author) : undefined;
    return removed
      ? `Removed ${formatExpense(removed)} (#${removed.number}).`
      : 'Nothing of yours to undo in this chat.';
  }

  /** `[CATEGORY] [PERIOD]` as a filter, with the words that describe it. */
  resolveFilter(text: string, ledger: Ledger): ResolvedFilter {
    const parsed = parseFilter(text);
    if (!parsed.ok) return { error: parsed.error };
    const { category, period } = parsed.value;
    try {
      const filter: ExpenseFilter = { ...periodRange(period as Period, todayIn(ledger.timezone, this.clock.now())) };
      if (category) filter.category = ruleCategory(category);
      return { filter, label: `${filter.category ? `for ${filter.category}, ` : ''}${periodLabel(period)}` };
    } catch (error) {
      if (error instanceof DomainError) return { error: error.message };
      throw error;
    }
  }

  async total(ledger: Ledger, filterText: string): Promise<string> {
    const filter = this.resolveFilter(filterText, ledger);
    if ('error' in filter) return filter.error;
    const { count, total } = await this.expenses.totals(ledger, filter.filter);
    const lines = [`Total ${filter.label}: ${formatTotals(total)} (${plural(count, 'expense')})`];
    if (!filter.filter.category && count > 0) {
      const summary = await this.expenses.summary(ledger, filter.filter);
      for (const category of summary.categories) lines.push(`${category.category}: ${formatTotals(category.total)}`);
    }
    return lines.join('\n');
  }

  /** One message of a list, newest first; nextCursor continues it. */
  async listPage(
    ledger: Ledger,
    filter: ExpenseFilter,
    label: string,
    cursor: string | undefined,
    withAuthor: boolean,
    pageSize: number,
  ): Promise<ListPage> {
    let page = await this.expenses.list(ledger, { ...filter, limit: pageSize, cursor });
    if (page.count === 0) return { text: `No expenses ${label}.` };
    const header = `Expenses ${label}, newest first:`;
    const footer = `${plural(page.count, 'expense')}, total ${formatTotals(page.total)}`;
    let lines = page.items.map((expense) => listLine(expense, withAuthor));
    const fit = linesThatFit(header, lines, footer);
    if (fit < lines.length) {
      // Long lines: show fewer rows so the message stays whole; the next page continues from the last shown.
      page = await this.expenses.list(ledger, { ...filter, limit: Math.max(fit, 1), cursor });
      lines = page.items.map((expense) => listLine(expense, withAuthor));
    }
    return { text: [header, ...lines, '', footer].join('\n'), nextCursor: page.nextCursor ?? undefined };
  }
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
