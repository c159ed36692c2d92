import { Composer } from 'grammy';
import { todayIn } from '../../common/calendar';
import { DomainError, DuplicateExpenseError, NotFoundError } from '../../common/domain-errors';
import type { ExpenseEdit } from '../../expenses/expenses.service';
import type { ExpenseView } from '../../expenses/expense.view';
import type { Ledger } from '../../ledgers/ledger.entity';
import { authorOf, BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { formatChanges, formatExpense } from '../format';
import { ADD_USAGE, ParsedAdd, parseAdd } from '../parse';
import { findByRef, parseRef } from './expense-ref';

export const EDIT_USAGE = 'Write it like this: /edit 12 13.50 food lunch (the #number from /list, then the expense as for /add).';

/**
 * Corrections (docs/API.md §7): editing the Telegram message that recorded an
 * expense, and /edit NUMBER … . Each update is claimed once, so a redelivered
 * or twin edit changes nothing more and sends nothing more.
 */
export function editFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on('edited_message:text', async (ctx) => {
    const message = ctx.editedMessage;
    const done = await ctx.once(async (ledger) => {
      const recorded = await deps.expenses.findByMessage(ledger, message.message_id);
      if (!recorded) return undefined; // that message recorded nothing: an edit of chatter is not ours
      if (recorded.removed) return `#${recorded.expense.number} was removed, so this edit changes nothing. Send the expense again instead.`;
      // The message is read again as if it had been sent so: dates count from the day it was sent.
      const sentOn = todayIn(ledger.timezone, new Date(message.date * 1000));
      const parsed = parseAdd(withoutAddCommand(message.text), sentOn);
      if (!parsed.ok) return `Not changed: ${parsed.error}`;
      const fields = { ...parsed.value, currency: parsed.value.currency ?? ledger.currency, date: parsed.value.date ?? sentOn };
      return applyEdit(deps, ctx, ledger, recorded.expense, fields);
    });
    if (done?.value) await ctx.reply(done.value, { reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true } });
  });

  feature.command('edit', async (ctx) => {
    const [refText = '', ...rest] = ctx.match.trim().split(/\s+/u);
    const done = await ctx.once(async (ledger) => {
      const ref = parseRef(refText);
      if (!ref || rest.length === 0) return EDIT_USAGE;
      let expense: ExpenseView;
      try {
        expense = await findByRef(deps.expenses, ledger, ref);
      } catch (error) {
        if (error instanceof NotFoundError) return `No expense #${refText.replace(/^#/, '')} in this chat. /list shows the numbers.`;
        throw error;
      }
      const parsed = parseAdd(rest.join(' '), todayIn(ledger.timezone, deps.clock.now()));
      if (!parsed.ok) return `Not changed: ${parsed.error.replace(ADD_USAGE, EDIT_USAGE)}`;
      // Currency and date stay as they were unless given.
      const fields = { ...parsed.value, currency: parsed.value.currency ?? expense.currency, date: parsed.value.date ?? expense.date };
      return applyEdit(deps, ctx, ledger, expense, fields);
    });
    if (done?.value) await ctx.reply(done.value);
  });

  return feature;
}

/** "/add@TallyBot 12 food" → "12 food": the edited text is read as the add it was. */
function withoutAddCommand(text: string): string {
  return text.replace(/^\/add(@\w+)?(\s+|$)/iu, '');
}

async function applyEdit(deps: BotDeps, ctx: BotContext, ledger: Ledger, expense: ExpenseView, fields: ParsedAdd): Promise<string> {
  const edit: ExpenseEdit = { ...fields, source: 'telegram', author: authorOf(ctx) };
  try {
    const result = await deps.expenses.edit(ledger, expense.id, edit);
    if (!result.changed) return `Nothing to change: #${expense.number} is already ${formatExpense(expense)}.`;
    return `Updated: ${formatExpense(result.expense)} (#${expense.number}; ${formatChanges(result.changes)}).`;
  } catch (error) {
    if (error instanceof DuplicateExpenseError) {
      return `Not changed: that would make #${expense.number} the same as #${error.existingNumber}. If #${error.existingNumber} is this one, /delete ${expense.number}.`;
    }
    if (error instanceof NotFoundError) return `#${expense.number} was removed, so nothing changed.`;
    // Rule violations (too many decimals, unknown currency, bad date…) are the user's to fix.
    if (error instanceof DomainError) return `Not changed: ${error.message}.`;
    throw error;
  }
}
