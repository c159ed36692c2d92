import { Composer, InlineKeyboard, InputFile } from 'grammy';
import { Period, periodRange, todayIn } from '../../common/calendar';
import { expensesCsv } from '../../expenses/csv';
import type { ExpenseFilter } from '../../expenses/expenses.service';
import { ruleCategory } from '../../expenses/expense-rules';
import { DomainError } from '../../common/domain-errors';
import type { Ledger } from '../../ledgers/ledger.entity';
import { BotContext, isGroup, ledgerName } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { formatTotals, linesThatFit, listLine, periodLabel } from '../format';
import { parseFilter } from '../parse';

export const LIST_PAGE = 20;

/** /list with its "More" button, /total and /export. */
export function reportsFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('list', async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      const filter = resolveFilter(ctx.match, ledger, deps.clock.now());
      if ('error' in filter) return { text: filter.error };
      const queryId = await deps.store.saveListQuery(ledger.id, filter.filter);
      return listPage(deps, ledger, filter.filter, filter.label, queryId, undefined, isGroup(ctx));
    });
    if (done) await ctx.reply(done.value.text, { reply_markup: done.value.more });
  });

  feature.callbackQuery(/^more:(\d{1,15}):([A-Za-z0-9_-]{1,40})$/, async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      const filter = await deps.store.listQuery(ledger.id, Number(ctx.match[1]));
      if (!filter) return { text: 'That list is too old; send /list again.' };
      return listPage(deps, ledger, filter, describe(filter), Number(ctx.match[1]), ctx.match[2], isGroup(ctx));
    });
    if (!done) return;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch((error: Error) => deps.log.warn(`could not remove the button: ${error.message}`));
    await ctx.reply(done.value.text, { reply_markup: done.value.more });
  });

  feature.command('total', async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      const filter = resolveFilter(ctx.match, ledger, deps.clock.now());
      if ('error' in filter) return filter.error;
      const { count, total } = await deps.expenses.totals(ledger, filter.filter);
      const lines = [`Total ${filter.label}: ${formatTotals(total)} (${plural(count, 'expense')})`];
      if (!filter.filter.category && count > 0) {
        const summary = await deps.expenses.summary(ledger, filter.filter);
        for (const category of summary.categories) lines.push(`${category.category}: ${formatTotals(category.total)}`);
      }
      return lines.join('\n');
    });
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

type ResolvedFilter = { filter: ExpenseFilter; label: string } | { error: string };

function resolveFilter(text: string, ledger: Ledger, now: Date): ResolvedFilter {
  const parsed = parseFilter(text);
  if (!parsed.ok) return { error: parsed.error };
  const { category, period } = parsed.value;
  try {
    const filter: ExpenseFilter = { ...periodRange(period as Period, todayIn(ledger.timezone, now)) };
    if (category) filter.category = ruleCategory(category);
    return { filter, label: `${filter.category ? `for ${filter.category}, ` : ''}${periodLabel(period)}` };
  } catch (error) {
    if (error instanceof DomainError) return { error: error.message };
    throw error;
  }
}

function describe(filter: ExpenseFilter): string {
  const range = filter.from || filter.to ? `${filter.from ?? '…'} to ${filter.to ?? '…'}` : 'all time';
  return `${filter.category ? `for ${filter.category}, ` : ''}${range}`;
}

async function listPage(
  deps: BotDeps,
  ledger: Ledger,
  filter: ExpenseFilter,
  label: string,
  queryId: number,
  cursor: string | undefined,
  withAuthor: boolean,
): Promise<{ text: string; more?: InlineKeyboard }> {
  let page = await deps.expenses.list(ledger, { ...filter, limit: LIST_PAGE, cursor });
  if (page.count === 0) return { text: `No expenses ${label}.` };
  const header = `Expenses ${label}, newest first:`;
  const footer = `${plural(page.count, 'expense')}, total ${formatTotals(page.total)}`;
  let lines = page.items.map((expense) => listLine(expense, withAuthor));
  const fit = linesThatFit(header, lines, footer);
  if (fit < lines.length) {
    // Long lines: show fewer rows so the message stays whole; "More" continues from the last shown.
    page = await deps.expenses.list(ledger, { ...filter, limit: Math.max(fit, 1), cursor });
    lines = page.items.map((expense) => listLine(expense, withAuthor));
  }
  return {
    text: [header, ...lines, '', footer].join('\n'),
    more: page.nextCursor ? new InlineKeyboard().text('More', `more:${queryId}:${page.nextCursor}`) : undefined,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
