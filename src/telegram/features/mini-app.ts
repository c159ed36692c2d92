import { Composer, InlineKeyboard } from 'grammy';
import type { MiniAppConfig } from '../../config/config';
import { groupRef } from '../../ledgers/mini-app-ref';
import { BotContext, isGroup } from '../bot-context';

/**
 * /app: the page as a Telegram Mini App. In a private chat a web_app button
 * opens it on the user's own ledger; in a group, a t.me link whose signed
 * startapp parameter names the group's ledger (web_app buttons work only in
 * private chats).
 */
export function miniAppFeature(miniApp: MiniAppConfig | undefined, botToken: string): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('app', async (ctx) => {
    if (!(await ctx.once(async () => true))) return;
    if (!miniApp) return void (await ctx.reply('The app is not set up on this server (TALLY_PUBLIC_URL is unset).'));
    if (!isGroup(ctx)) {
      await ctx.reply("Open Tally to add, list and edit this chat's expenses:", {
        reply_markup: new InlineKeyboard().webApp('Open Tally', miniApp.publicUrl),
      });
      return;
    }
    if (!miniApp.shortName) {
      return void (await ctx.reply(
        'The app has no short name on this server (TELEGRAM_MINI_APP_NAME), so it cannot be opened for a group yet.',
      ));
    }
    const link = `https://t.me/${ctx.me.username}/${miniApp.shortName}?startapp=${groupRef(ctx.chat!.id, botToken)}`;
    await ctx.reply(`Open Tally for this group's expenses (members only): ${link}`, {
      reply_markup: new InlineKeyboard().url('Open Tally', link),
    });
  });
  return feature;
}
