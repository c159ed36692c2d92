import { Composer, InlineKeyboard, InputFile } from 'grammy';
import { todayIn } from '../../common/calendar';
import { expensesCsv } from '../../expenses/csv';
import type { ExpenseFilter } from '../../expenses/expenses.service';
import { ListPage, plural } from '../../chat/chat-core';
import { BotContext, isGroup, ledgerName } from '../bot-context';
import type { BotDeps } from '../bot-deps';

export const LIST_PAGE = 20;

/** /list with its "More" button, /total and /export. */
export function reportsFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('list', async (ctx) => {
    const done = await ctx.once(async (ledger, tx) => {
      const filter = deps.chat.resolveFilter(ctx.match, ledger);
      if ('error' in filter) return { text: filter.error };
      const queryId = await deps.listQueries.save(tx, ledger.id, filter.filter);
      return withMore(
        await deps.chat.listPage(ledger, filter.filter, filter.label, undefined, isGroup(ctx), LIST_PAGE),
        queryId,
      );
    });
    if (done) await ctx.reply(done.value.text, { reply_markup: done.value.more });
  });

  feature.callbackQuery(/^more:(\d{1,15}):([A-Za-z0-9_-]{1,40})$/, async (ctx) => {
    const done = await ctx.once(async (ledger, tx) => {
      const queryId = Number(ctx.match[1]);
      const filter = await deps.listQueries.find(tx, ledger.id, queryId);
      if (!filter) return { text: 'That list is too old; send /list again.' };
      return withMore(
        await deps.chat.listPage(ledger, filter, describe(filter), ctx.match[2], isGroup(ctx), LIST_PAGE),
        queryId,
      );
    });
    if (!done) return;
    await ctx.answerCallbackQuery();
    await ctx
      .editMessageReplyMarkup()
      .catch((error: Error) => deps.log.warn(`could not remove the button: ${error.message}`));
    await ctx.reply(done.value.text, { reply_markup: done.value.more });
  });

  feature.command('total', async (ctx) => {
    const done = await ctx.once((ledger) => deps.chat.total(ledger, ctx.match));
    if (done) await ctx.reply(done.value);
  });

  feature.command('export', async (ctx) => {
    const done = await ctx.once(async () => true);
    if (!done) return;
    const ledger = await deps.ledgers.findOrCreate(ledgerName(ctx.chat.id));
    const { count } = await deps.expenses.totals(ledger, {});
    // Streamed from the database to Telegram, never held whole in memory.
    const csv = expensesCsv(deps.expenses.stream(ledger, {}));
    await ctx.replyWithDocument(new InputFile(csv, `tally-${todayIn(ledger.timezone, deps.clock.now())}.csv`), {
      caption: `${plural(count, 'expense')} in this chat.`,
    });
  });

  return feature;
}

function describe(filter: ExpenseFilter): string {
  const range = filter.from || filter.to ? `${filter.from ?? '…'} to ${filter.to ?? '…'}` : 'all time';
  return `${filter.category ? `for ${filter.category}, ` : ''}${range}`;
}

/** A "More" button continues the list from where this page stopped. */
function withMore(page: ListPage, queryId: number): { text: string; more?: InlineKeyboard } {
  return {
    text: page.text,
    more: page.nextCursor ? new InlineKeyboard().text('More', `more:${queryId}:${page.nextCursor}`) : undefined,
  };
}
