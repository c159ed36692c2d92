import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import type { Knex } from '@mikro-orm/knex';
import type { RawSql } from '../database/raw-sql';
import { selectRows } from '../database/transactions';
import type { Cursor } from './cursor';
import { EXPENSE_COLUMNS, ExpenseRow } from './expense.view';
import type { ExpenseChangeRow as ChangeRow } from './expense-history';
import type { ExpenseFilter, SortOrder } from './expenses.service';

const COLUMNS = EXPENSE_COLUMNS.join(', ');
/** The one INSERT of an expense: the unique dedup index, not a prior read, decides (SQL both engines accept). */
const INSERT = `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source,
  author_telegram_id, author_slack_id, author_name, dedup_key, occurrence, created_at, number, message_id)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning seq`;
const LIVE = `select ${COLUMNS} from expense where ledger_id = ? and deleted_at is null`;
const BY_DEDUP_KEY = `${LIVE} and dedup_key = ?`;
const BY_ID = `${LIVE} and id = ?`;
const BY_NUMBER = `${LIVE} and number = ?`;
/** The edit itself, guarded by the version read: a concurrent edit or delete makes it change nothing. */
const UPDATE = `update expense set amount_minor = ?, currency = ?, category = ?, description = ?, date = ?,
  dedup_key = ?, occurrence = ?, version = version + 1, updated_at = ?
  where seq = ? and version = ? and deleted_at is null`;
const INSERT_CHANGE = `insert into expense_change (expense_seq, at, source, author_telegram_id, author_slack_id,
  author_name, changes) values (?, ?, ?, ?, ?, ?, ?)`;

/** A new expense as record() and the import write it: the row a view is made of, less what the insert sets. */
export interface NewExpenseRow extends Omit<ExpenseRow, 'seq' | 'version' | 'updated_at'> {
  ledger_id: number;
  dedup_key: string;
  occurrence: number;
  message_id: number | null;
}

/** The content an edit writes, with its new dedup key. */
export interface EditedColumns {
  amountMinor: bigint | string;
  currency: string;
  category: string;
  description: string;
  date: string;
  dedupKey: string;
  occurrence: number;
}

/**
 * The SQL of expenses and their edit history. Every method but page() runs
 * on the handle it is given; the same SQL serves both engines. Totals are
 * read from the rollups (totals.repository.ts), never summed here.
 */
@Injectable()
export class ExpensesRepository {
  constructor(private readonly em: EntityManager) {}

  /** The new row's seq, or undefined when the dedup key (or the random id) was taken. */
  async insert(tx: RawSql, row: NewExpenseRow): Promise<number | undefined> {
    const inserted = await tx.get<{ seq: number }>(
      INSERT,
      row.id,
      row.ledger_id,
      row.amount_minor,
      row.currency,
      row.category,
      row.description,
      row.date,
      row.source,
      row.author_telegram_id,
      row.author_slack_id,
      row.author_name,
      row.dedup_key,
      row.occurrence,
      row.created_at,
      row.number,
      row.message_id,
    );
    return inserted?.seq;
  }

  liveByDedupKey(db: RawSql, ledgerId: number, dedupKey: string): Promise<ExpenseRow | undefined> {
    return db.get<ExpenseRow>(BY_DEDUP_KEY, ledgerId, dedupKey);
  }

  liveById(db: RawSql, ledgerId: number, id: string): Promise<ExpenseRow | undefined> {
    return db.get<ExpenseRow>(BY_ID, ledgerId, id);
  }

  liveByNumber(db: RawSql, ledgerId: number, number: number): Promise<ExpenseRow | undefined> {
    return db.get<ExpenseRow>(BY_NUMBER, ledgerId, number);
  }

  /** The expense a chat message recorded, deleted or not. */
  byMessage(
    db: RawSql,
    ledgerId: number,
    messageId: number,
  ): Promise<(ExpenseRow & { deleted_at: string | null }) | undefined> {
    return db.get(
      `select ${COLUMNS}, deleted_at from expense where ledger_id = ? and message_id = ?`,
      ledgerId,
      messageId,
    );
  }

  /** The newest live expense a chat user added (by Telegram id, else by Slack id). */
  latestBy(
    db: RawSql,
    ledgerId: number,
    author: { telegramId?: number; slackId?: string },
  ): Promise<ExpenseRow | undefined> {
    return author.telegramId !== undefined
      ? db.get<ExpenseRow>(`${LIVE} and author_telegram_id = ? order by seq desc limit 1`, ledgerId, author.telegramId)
      : db.get<ExpenseRow>(`${LIVE} and author_slack_id = ? order by seq desc limit 1`, ledgerId, author.slackId ?? '');
  }

  /** Writes an edit unless the row changed since `version` was read: false then. */
  async update(tx: RawSql, seq: number, version: number, to: EditedColumns, at: string): Promise<boolean> {
    const changed = await tx.run(
      UPDATE,
      to.amountMinor,
      to.currency,
      to.category,
      to.description,
      to.date,
      to.dedupKey,
      to.occurrence,
      at,
      seq,
      version,
    );
    return changed === 1;
  }

  async insertChange(tx: RawSql, seq: number, change: ChangeRow): Promise<void> {
    await tx.run(
      INSERT_CHANGE,
      seq,
      change.at,
      change.source,
      change.author_telegram_id,
      change.author_slack_id,
      change.author_name,
      change.changes,
    );
  }

  /** Marks a live row deleted; false when someone was first. */
  async softDelete(tx: RawSql, ledgerId: number, seq: number, at: string): Promise<boolean> {
    const changed = await tx.run(
      'update expense set deleted_at = ? where ledger_id = ? and seq = ? and deleted_at is null',
      at,
      ledgerId,
      seq,
    );
    return changed === 1;
  }

  /** The row's seq, deleted or not: history outlives the expense. */
  async seqOf(db: RawSql, ledgerId: number, id: string): Promise<number | undefined> {
    const row = await db.get<{ seq: number }>('select seq from expense where ledger_id = ? and id = ?', ledgerId, id);
    return row?.seq;
  }

  changes(db: RawSql, seq: number): Promise<ChangeRow[]> {
    return db.all<ChangeRow>(
      `select at, source, author_telegram_id, author_slack_id, author_name, changes from expense_change
       where expense_seq = ? order by id`,
      seq,
    );
  }

  /**
   * One keyset page, `limit` rows after the cursor in list order, outside any
   * transaction. Built with knex (its text depends only on which filters are
   * set) and run by the engine door's selectRows, which picks the faster
   * road per engine.
   */
  page(ledgerId: number, filter: ExpenseFilter, sort: SortOrder, limit: number, after?: Cursor): Promise<ExpenseRow[]> {
    const query = this.em.getKnex()('expense').where('ledger_id', ledgerId).whereNull('deleted_at');
    if (filter.category) query.where('category', filter.category);
    if (filter.from) query.where('date', '>=', filter.from);
    if (filter.to) query.where('date', '<=', filter.to);
    if (after) keysetAfter(query, after, sort);
    const direction = sort === 'date_asc' ? 'asc' : 'desc';
    query
      .orderBy([
        { column: 'date', order: direction },
        { column: 'seq', order: direction },
      ])
      .limit(limit)
      .select(...EXPENSE_COLUMNS);
    return selectRows<ExpenseRow>(this.em, query);
  }
}

function keysetAfter(query: Knex.QueryBuilder, after: Cursor, sort: SortOrder): void {
  const op = sort === 'date_asc' ? '>' : '<';
  // "date <= d" first, so the index on (ledger, [category,] date, seq) is entered at the cursor: with only the
  // OR below, SQLite walks the index from the ledger's first row, and a page half-way down a million rows took 67 ms.
  query.where('date', `${op}=`, after.date).where((q) => q.where('date', op, after.date).orWhere('seq', op, after.seq));
}
