import { Composer } from 'grammy';
import { todayIn } from '../../common/calendar';
import { NotFoundError } from '../../common/domain-errors';
import type { ExpenseView } from '../../expenses/expense.view';
import { BotContext, turnOf } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { ADD_USAGE, parseAdd } from '../../chat/parse';
import { findByRef, parseRef } from '../../chat/expense-ref';

export const EDIT_USAGE =
  'Write it like this: /edit 12 13.50 food lunch (the #number from /list, then the expense as for /add).';

/**
 * Corrections (docs/API.md §7): editing the Telegram message that recorded an
 * expense, and /edit NUMBER … . Each update is claimed once, so a redelivered
 * or twin edit changes nothing more and sends nothing more.
 */
export function editFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.on('edited_message:text', async (ctx) => {
    const message = ctx.editedMessage;
    const turn = turnOf(ctx, deps.clock.now(), message);
    const done = await ctx.once((ledger) =>
      deps.chat.editByMessage(ledger, message.message_id, withoutAddCommand(message.text), turn),
    );
    if (done?.value)
      await ctx.reply(done.value, {
        reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
      });
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
        if (error instanceof NotFoundError)
          return `No expense #${refText.replace(/^#/, '')} in this chat. /list shows the numbers.`;
        throw error;
      }
      const parsed = parseAdd(rest.join(' '), todayIn(ledger.timezone, deps.clock.now()));
      if (!parsed.ok) return `Not changed: ${parsed.error.replace(ADD_USAGE, EDIT_USAGE)}`;
      // Currency and date stay as they were unless given.
      const fields = {
        ...parsed.value,
        currency: parsed.value.currency ?? expense.currency,
        date: parsed.value.date ?? expense.date,
      };
      return deps.chat.applyEdit(ledger, expense, fields, turnOf(ctx, deps.clock.now()));
    });
    if (done?.value) await ctx.reply(done.value);
  });

  return feature;
}

/** "/add@TallyBot 12 food" → "12 food": the edited text is read as the add it was. */
function withoutAddCommand(text: string): string {
  return text.replace(/^\/add(@\w+)?(\s+|$)/iu, '');
}
