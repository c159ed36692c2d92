import { Composer } from 'grammy';
import { canonicalTimeZone, isTimeZone } from '../../common/calendar';
import { NotFoundError } from '../../common/domain-errors';
import { findCurrency } from '../../money/currency';
import { authorOf, BotContext } from '../bot-context';
import type { BotDeps } from '../bot-deps';
import { HELP } from '../../chat/format';

/** /undo, /delete, /currency, /timezone and /token. */
export function manageFeature(deps: BotDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();

  feature.command('undo', async (ctx) => {
    const done = await ctx.once((ledger) => deps.chat.undo(ledger, authorOf(ctx)));
    if (done) await ctx.reply(done.value);
  });

  feature.command('delete', async (ctx) => {
    const done = await ctx.once((ledger) => deps.chat.remove(ledger, ctx.match));
    if (done) await ctx.reply(done.value.text);
  });

  feature.command('currency', async (ctx) => {
    const code = ctx.match.trim().toUpperCase();
    const done = await ctx.once(async (ledger) => {
      if (!code) return `This chat's currency is ${ledger.currency}. Change it with /currency EUR.`;
      if (!findCurrency(code)) return `"${ctx.match.trim()}" is not an ISO 4217 currency code. Try /currency EUR.`;
      await deps.ledgers.update(ledger, { currency: code });
      return `This chat's currency is now ${code}. Amounts without a currency are recorded in ${code}.`;
    });
    if (done) await ctx.reply(done.value);
  });

  feature.command('timezone', async (ctx) => {
    const zone = ctx.match.trim();
    const done = await ctx.once(async (ledger) => {
      if (!zone) return `This chat's time zone is ${ledger.timezone}. Change it with /timezone Europe/Berlin.`;
      if (!isTimeZone(zone))
        return `"${zone}" is not a time zone I know. Try /timezone Europe/Berlin or /timezone America/New_York.`;
      const canonical = canonicalTimeZone(zone);
      await deps.ledgers.update(ledger, { timezone: canonical });
      return `This chat's time zone is now ${canonical}; "today" follows it.`;
    });
    if (done) await ctx.reply(done.value);
  });

  feature.command('token', async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      if (ctx.chat.type !== 'private') return undefined;
      return deps.tokens.issue(ledger, { label: 'from /token' });
    });
    if (!done) return;
    if (!done.value) return void (await ctx.reply('For safety, /token works only in a private chat with me.'));
    // The token is the last line, as with `npm run token`, so it is easy to copy.
    await ctx.reply(
      [
        "Your REST API token for this chat's expenses. It is shown once; keep it secret.",
        'Send it as "Authorization: Bearer <token>":',
        done.value,
      ].join('\n'),
    );
  });

  feature.command('tokens', async (ctx) => {
    const done = await ctx.once(async (ledger) => {
      if (ctx.chat.type !== 'private') return 'For safety, /tokens works only in a private chat with me.';
      const tokens = await deps.tokens.list(ledger.id);
      if (tokens.length === 0) return 'No API tokens for this chat. /token makes one.';
      const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : 'never');
      const lines = tokens.map(
        (token) =>
          `${token.id}: ${token.label ?? 'no label'} — made ${when(token.createdAt)}, last used ${when(token.lastUsedAt)}${token.expiresAt ? `, expires ${when(token.expiresAt)}` : ''}`,
      );
      return [
        'API tokens for this chat (the tokens themselves are never shown again):',
        ...lines,
        'Revoke one with /revoke ID.',
      ].join('\n');
    });
    if (done) await ctx.reply(done.value);
  });

  feature.command('revoke', async (ctx) => {
    const id = ctx.match.trim().replace(/^#/, '');
    const done = await ctx.once(async (ledger) => {
      if (ctx.chat.type !== 'private') return 'For safety, /revoke works only in a private chat with me.';
      if (!/^\d{1,15}$/.test(id)) return 'Write it like this: /revoke 3, with an id from /tokens.';
      try {
        const token = await deps.tokens.revoke(Number(id), ledger.id);
        return `Revoked token ${token.id}${token.label ? ` (${token.label})` : ''}. It stops working everywhere within 5 seconds.`;
      } catch (error) {
        if (error instanceof NotFoundError) return `No token ${id} for this chat. /tokens lists them.`;
        throw error;
      }
    });
    if (done) await ctx.reply(done.value);
  });

  feature.command(['start', 'help'], async (ctx) => {
    if (await ctx.once(async () => true)) await ctx.reply(HELP);
  });

  return feature;
}

/** Registered last: private messages nothing else understood get a hint; group chatter is ignored. */
export function fallbackFeature(): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.chatType('private').on('message', async (ctx) => {
    if (await ctx.once(async () => true)) {
      await ctx.reply('I did not understand that. Start a message with an amount (12.50 food lunch) or see /help.');
    }
  });
  return feature;
}
