import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { sql } from '../database/sql';
import type { ExpenseFilter } from '../expenses/expenses.service';

/** How long list filters are kept. */
export const BOT_STATE_DAYS = 7;

/** The bot's own rows: the filters behind "More" buttons (claims are in src/chat/chat-claims.ts). */
@Injectable()
export class BotStore {
  constructor(private readonly em: EntityManager) {}

  async saveListQuery(ledgerId: number, filter: ExpenseFilter): Promise<number> {
    const [row] = await sql(this.em)('telegram_list_query')
      .insert({
        ledger_id: ledgerId,
        category: filter.category ?? null,
        date_from: filter.from ?? null,
        date_to: filter.to ?? null,
        created_at: Date.now(),
      })
      .returning(['id']);
    return Number((row as { id: number }).id);
  }

  async listQuery(ledgerId: number, id: number): Promise<ExpenseFilter | undefined> {
    const row = await sql(this.em)('telegram_list_query').where({ id, ledger_id: ledgerId }).first();
    return row
      ? { category: row.category ?? undefined, from: row.date_from ?? undefined, to: row.date_to ?? undefined }
      : undefined;
  }

  async prune(now = Date.now()): Promise<number> {
    const before = now - BOT_STATE_DAYS * 86_400_000;
    return sql(this.em)('telegram_list_query').where('created_at', '<', before).delete();
  }
}
