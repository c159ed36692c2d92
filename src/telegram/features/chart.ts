import { Composer, InputFile } from 'grammy';
import { chartReply } from '../../chat/chart-replies';
import type { BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';

/** /chart [CATEGORY] [PERIOD]: the same PNG as GET /expenses/chart.png (docs/API.md §8). */
export function chartFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('chart', async (ctx) => {
    const done = await ctx.once((ledger) => chartReply(deps.chat, deps.charts, ledger, ctx.match));
    if (!done) return;
    const outcome = done.value;
    if (outcome.error !== undefined) return void (await ctx.reply(outcome.error));
    await ctx.replyWithPhoto(new InputFile(outcome.png, 'chart.png'), { caption: outcome.caption });
  });

  return feature;
}
