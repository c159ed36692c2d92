import { Composer, InlineKeyboard } from 'grammy';
import { BotContext, turnOf } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { startsWithAmount } from '../../chat/parse';

/** /add, the quick add in private chats, and the "Record again" button. */
export function addFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  const add = async (ctx: BotContext, text: string) => {
    const turn = turnOf(ctx, deps.clock.now(), ctx.message);
    const done = await ctx.once((ledger) => deps.chat.add(ledger, text, turn));
    if (!done) return;
    const outcome = done.value;
    if (outcome.kind === 'error') return void (await ctx.reply(outcome.message));
    if (outcome.kind === 'created') {
      return void (await ctx.reply(
        `Recorded ${outcome.summary} as #${outcome.number}. /undo removes it; editing your message corrects it.`,
      ));
    }
    await ctx.reply(
      `This is already recorded: ${outcome.summary} (#${outcome.number}). Press Record again if it is a second one.`,
      {
        reply_markup: new InlineKeyboard().text('Record again', `again:${outcome.id}`),
      },
    );
  };

  feature.command('add', (ctx) => add(ctx, ctx.match));
  feature.chatType('private').on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/') || !startsWithAmount(ctx.message.text)) return next();
    await add(ctx, ctx.message.text);
  });

  feature.callbackQuery(/^again:([0-9a-z]{1,32})$/, async (ctx) => {
    const messageId = ctx.callbackQuery.message?.message_id;
    const turn = turnOf(ctx, deps.clock.now());
    const done = await ctx.once((ledger, tx) =>
      deps.chat.recordAgain(tx, ledger, ctx.match[1], `telegram:again:${ctx.chat?.id}:${messageId}`, turn),
    );
    if (!done) return;
    await ctx.answerCallbackQuery({ text: done.value.text });
    await ctx
      .editMessageReplyMarkup()
      .catch((error: Error) => deps.log.warn(`could not remove the button: ${error.message}`));
    if (done.value.recorded) await ctx.reply(done.value.text);
  });

  return feature;
}
