import { Composer } from 'grammy';
import { budgetCommand, budgetsOverview } from '../../chat/budget-replies';
import type { BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';

/** /budget CATEGORY AMOUNT [CUR], /budget CATEGORY off, /budgets (docs/API.md §8). Alerts come from BudgetAlerts. */
export function budgetsFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('budget', async (ctx) => {
    const done = await ctx.once((ledger) => budgetCommand(deps.budgets, ledger, ctx.match));
    if (done) await ctx.reply(done.value.text);
  });

  feature.command('budgets', async (ctx) => {
    const done = await ctx.once((ledger) => budgetsOverview(deps.budgets, ledger));
    if (done) await ctx.reply(done.value);
  });

  return feature;
}
