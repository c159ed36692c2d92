import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { sql } from '../database/sql';
import { transactionSql } from '../database/raw-sql';
import type { ExpenseFilter } from '../expenses/expenses.service';

const CLAIM = 'insert into telegram_update (bot_id, update_id, claimed_at) values (?, ?, ?) on conflict do nothing';

/** How long claimed update ids and list filters are kept. Telegram retries for far less. */
export const BOT_STATE_DAYS = 7;

/** The bot's own rows: claimed update ids and the filters behind "More" buttons. */
@Injectable()
export class BotStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Claims an update for this bot inside the caller's transaction; false when
   * it was claimed before (a retry or a twin delivery).
   */
  async claim(botId: number, updateId: number): Promise<boolean> {
    const sql = await transactionSql(this.em);
    return (await sql.run(CLAIM, botId, updateId, Date.now())) === 1;
  }

  async saveListQuery(ledgerId: number, filter: ExpenseFilter): Promise<number> {
    const [row] = await sql(this.em)('telegram_list_query')
      .insert({ ledger_id: ledgerId, category: filter.category ?? null, date_from: filter.from ?? null, date_to: filter.to ?? null, created_at: Date.now() })
      .returning(['id']);
    return Number((row as { id: number }).id);
  }

  async listQuery(ledgerId: number, id: number): Promise<ExpenseFilter | undefined> {
    const row = await sql(this.em)('telegram_list_query').where({ id, ledger_id: ledgerId }).first();
    return row ? { category: row.category ?? undefined, from: row.date_from ?? undefined, to: row.date_to ?? undefined } : undefined;
  }

  async prune(now = Date.now()): Promise<number> {
    const before = now - BOT_STATE_DAYS * 86_400_000;
    const updates = await sql(this.em)('telegram_update').where('claimed_at', '<', before).delete();
    const lists = await sql(this.em)('telegram_list_query').where('created_at', '<', before).delete();
    return updates + lists;
  }
}
