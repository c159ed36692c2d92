import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';
import type { ExpenseFilter } from '../expenses/expenses.service';

/** How long list filters are kept. */
export const BOT_STATE_DAYS = 7;

const SAVE = `insert into telegram_list_query (ledger_id, category, date_from, date_to, created_at) values (?, ?, ?, ?, ?)
  returning id`;
const FIND = 'select category, date_from, date_to from telegram_list_query where id = ? and ledger_id = ?';
const PRUNE = 'delete from telegram_list_query where created_at < ?';

/** The filters behind the bot's "More" buttons (its claims are in src/chat/chat-claims.repository.ts). */
@Injectable()
export class ListQueriesRepository {
  async save(db: RawSql, ledgerId: number, filter: ExpenseFilter): Promise<number> {
    const row = await db.get<{ id: number | string }>(
      SAVE,
      ledgerId,
      filter.category ?? null,
      filter.from ?? null,
      filter.to ?? null,
      Date.now(),
    );
    return Number(row!.id);
  }

  async find(db: RawSql, ledgerId: number, id: number): Promise<ExpenseFilter | undefined> {
    const row = await db.get<{ category: string | null; date_from: string | null; date_to: string | null }>(
      FIND,
      id,
      ledgerId,
    );
    return row
      ? { category: row.category ?? undefined, from: row.date_from ?? undefined, to: row.date_to ?? undefined }
      : undefined;
  }

  prune(db: RawSql, now = Date.now()): Promise<number> {
    return db.run(PRUNE, now - BOT_STATE_DAYS * 86_400_000);
  }
}
