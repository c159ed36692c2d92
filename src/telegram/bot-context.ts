import type { Context } from 'grammy';
import type { Ledger } from '../ledgers/ledger.entity';
import type { ExpenseAuthor } from '../expenses/expense.view';
import type { ChatTurn } from '../chat/chat-core';
import type { RawSql } from '../database/raw-sql';

/**
 * Runs `work` exactly once per update: the update id is claimed in the same
 * transaction as the work's writes (`tx`, handed to the work). Resolves
 * undefined when the update was handled before (Telegram retried it or
 * delivered it twice); the caller then sends nothing.
 */
export type Once = <T>(work: (ledger: Ledger, tx: RawSql) => Promise<T>) => Promise<{ value: T } | undefined>;

export type BotContext = Context & { once: Once };

/** A Telegram message as the chat core sees it; `sentAt` is when it was sent (a retried update keeps its day). */
export function turnOf(ctx: Context, now: Date, message?: { date: number; message_id: number }): ChatTurn {
  return {
    source: 'telegram',
    author: authorOf(ctx),
    sentAt: message ? new Date(message.date * 1000) : now,
    messageId: message?.message_id,
  };
}

export function authorOf(ctx: Context): ExpenseAuthor | undefined {
  const from = ctx.from;
  if (!from) return undefined;
  return { telegramId: from.id, name: [from.first_name, from.last_name].filter(Boolean).join(' ') };
}

export function isGroup(ctx: Context): boolean {
  return ctx.chat?.type === 'group' || ctx.chat?.type === 'supergroup';
}

export { ledgerName } from '../ledgers/chat-ledger';
