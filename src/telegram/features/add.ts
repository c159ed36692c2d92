import { Composer, InlineKeyboard } from 'grammy';
import { todayIn } from '../../common/calendar';
import { DomainError, NotFoundError } from '../../common/domain-errors';
import type { Ledger } from '../../ledgers/ledger.entity';
import { authorOf, BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { formatExpense } from '../format';
import { ADD_USAGE, parseAdd, startsWithAmount } from '../parse';

/** How long a "Record again" button stays single-use in the idempotency table. */
const RECORD_AGAIN_KEY_MS = 30 * 86_400_000;

/** /add, the quick add in private chats, and the "Record again" button. */
export function addFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  const add = async (ctx: BotContext, text: string) => {
    const done = await ctx.once(async (ledger) => record(deps, ctx, ledger, text));
    if (!done) return;
    const outcome = done.value;
    if (outcome.kind === 'error') return void (await ctx.reply(outcome.message));
    if (outcome.kind === 'created') {
      return void (await ctx.reply(`Recorded ${outcome.summary} as #${outcome.number}. /undo removes it; editing your message corrects it.`));
    }
    await ctx.reply(`This is already recorded: ${outcome.summary} (#${outcome.number}). Press Record again if it is a second one.`, {
      reply_markup: new InlineKeyboard().text('Record again', `again:${outcome.id}`),
    });
  };

  feature.command('add', (ctx) => add(ctx, ctx.match));
  feature.chatType('private').on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/') || !startsWithAmount(ctx.message.text)) return next();
    await add(ctx, ctx.message.text);
  });

  feature.callbackQuery(/^again:([0-9a-z]{1,32})$/, async (ctx) => {
    const messageId = ctx.callbackQuery.message?.message_id;
    const done = await ctx.once(async (ledger) => {
      let original;
      try {
        original = await deps.expenses.get(ledger, ctx.match[1]);
      } catch (error) {
        if (error instanceof NotFoundError) return 'That expense was removed; send it again instead.';
        throw error;
      }
      const fresh = await deps.idempotency.claimKey(ledger.id, `telegram:again:${ctx.chat?.id}:${messageId}`, RECORD_AGAIN_KEY_MS);
      if (!fresh) return 'Already recorded again.';
      const result = await deps.expenses.record(ledger, {
        amount: original.amount,
        currency: original.currency,
        category: original.category,
        description: original.description,
        date: original.date,
        source: 'telegram',
        author: authorOf(ctx),
        allowDuplicate: true,
      });
      return `Recorded again: ${formatExpense(result.expense)} as #${result.expense.number}.`;
    });
    if (!done) return;
    await ctx.answerCallbackQuery({ text: done.value });
    await ctx.editMessageReplyMarkup().catch((error: Error) => deps.log.warn(`could not remove the button: ${error.message}`));
    if (done.value.startsWith('Recorded again')) await ctx.reply(done.value);
  });

  return feature;
}

type AddOutcome =
  | { kind: 'error'; message: string }
  | { kind: 'created' | 'duplicate'; summary: string; id: string; number: number };

async function record(deps: BotDeps, ctx: BotContext, ledger: Ledger, text: string): Promise<AddOutcome> {
  // Dates count from the day the message was sent, not the day it reached us (long polling after downtime).
  const sentOn = todayIn(ledger.timezone, ctx.message ? new Date(ctx.message.date * 1000) : deps.clock.now());
  const parsed = parseAdd(text, sentOn);
  if (!parsed.ok) return { kind: 'error', message: parsed.error };
  try {
    // The message is linked to what it recorded, so that editing it edits the expense.
    const messageId = ctx.message?.message_id;
    const result = await deps.expenses.record(ledger, { ...parsed.value, date: parsed.value.date ?? sentOn, source: 'telegram', author: authorOf(ctx), messageId });
    return { kind: result.created ? 'created' : 'duplicate', summary: formatExpense(result.expense), id: result.expense.id, number: result.expense.number };
  } catch (error) {
    // Rule violations (too many decimals, unknown currency, bad date…) are the user's to fix.
    if (error instanceof DomainError) return { kind: 'error', message: `Not recorded: ${error.message}. ${ADD_USAGE}` };
    throw error;
  }
}
