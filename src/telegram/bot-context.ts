import type { Context } from 'grammy';
import type { Ledger } from '../ledgers/ledger.entity';
import type { ExpenseAuthor } from '../expenses/expense.view';

/**
 * Runs `work` exactly once per update: the update id is claimed in the same
 * transaction as the work's writes. Resolves undefined when the update was
 * handled before (Telegram retried it or delivered it twice); the caller then
 * sends nothing.
 */
export type Once = <T>(work: (ledger: Ledger) => Promise<T>) => Promise<{ value: T } | undefined>;

export type BotContext = Context & { once: Once };

export function authorOf(ctx: Context): ExpenseAuthor | undefined {
  const from = ctx.from;
  if (!from) return undefined;
  return { telegramId: from.id, name: [from.first_name, from.last_name].filter(Boolean).join(' ') };
}

export function isGroup(ctx: Context): boolean {
  return ctx.chat?.type === 'group' || ctx.chat?.type === 'supergroup';
}

export { ledgerName } from '../ledgers/chat-ledger';
