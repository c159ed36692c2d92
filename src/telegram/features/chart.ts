import { Composer, InputFile } from 'grammy';
import { Period, periodRange, todayIn } from '../../common/calendar';
import { DomainError } from '../../common/domain-errors';
import { ruleCategory } from '../../expenses/expense-rules';
import type { ExpenseFilter } from '../../expenses/expenses.service';
import type { BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { periodLabel } from '../../chat/format';
import { parseFilter } from '../../chat/parse';

/** /chart [CATEGORY] [PERIOD]: the same PNG as GET /expenses/chart.png (docs/API.md §8). */
export function chartFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('chart', async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      const parsed = parseFilter(ctx.match);
      if (!parsed.ok) return { error: parsed.error.replace('/list', '/chart') } as const;
      try {
        const filter: ExpenseFilter = {
          ...periodRange(parsed.value.period as Period, todayIn(ledger.timezone, deps.clock.now())),
        };
        if (parsed.value.category) filter.category = ruleCategory(parsed.value.category);
        const caption = `Spending ${filter.category ? `on ${filter.category}, ` : ''}${periodLabel(parsed.value.period as Period)}`;
        return { png: await deps.charts.png(ledger, filter), caption, error: undefined };
      } catch (error) {
        if (error instanceof DomainError) return { error: error.message } as const;
        throw error;
      }
    });
    if (!done) return;
    const outcome = done.value;
    if (outcome.error !== undefined) return void (await ctx.reply(outcome.error));
    await ctx.replyWithPhoto(new InputFile(outcome.png, 'chart.png'), { caption: outcome.caption });
  });

  return feature;
}
