import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import type { Knex } from '@mikro-orm/knex';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { sql } from '../database/sql';
import { WriteBatcher } from '../database/write-batcher';
import { transactionSql } from '../database/raw-sql';
import type { Ledger } from '../ledgers/ledger.entity';
import { Cursor, decodeCursor, encodeCursor } from './cursor';
import { dedupKey, ExpenseContent } from './dedup-key';
import type { ExpenseSource } from './expense.entity';
import { ruleAmount, ruleCategory, ruleCurrency, ruleDate, ruleDescription, ruleOptionalDate } from './expense-rules';
import { EXPENSE_COLUMNS, ExpenseAuthor, ExpenseRow, ExpenseView, toView } from './expense.view';
import { CurrencySum, Totals, toTotals } from './totals';
import { categoryTotals, DAILY_TOTALS, filterTotals } from './daily-totals';

/** What a front door hands to record(); every field is checked here. */
export interface NewExpense {
  amount: unknown;
  category: unknown;
  description?: unknown;
  date?: unknown;
  currency?: string;
  source: ExpenseSource;
  author?: ExpenseAuthor;
  /** Record a second identical expense on purpose (REST allowDuplicate). */
  allowDuplicate?: boolean;
  /** Record exactly this occurrence (the bot's "Record again" button): idempotent. */
  occurrence?: number;
}

export interface RecordResult {
  expense: ExpenseView;
  /** false when an identical expense already existed and was returned instead. */
  created: boolean;
  occurrence: number;
}

export interface ExpenseFilter {
  category?: string;
  from?: string;
  to?: string;
}

export type SortOrder = 'date_desc' | 'date_asc';

export interface ListQuery extends ExpenseFilter {
  sort?: SortOrder;
  limit?: number;
  cursor?: string;
}

export interface ExpensePage {
  items: ExpenseView[];
  count: number;
  total: Totals;
  nextCursor: string | null;
}

export interface CategorySummary {
  category: string;
  count: number;
  total: Totals;
}

export interface Summary {
  from: string | null;
  to: string | null;
  count: number;
  total: Totals;
  categories: CategorySummary[];
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** A ledger may hold at most this many identical copies of one expense. */
const MAX_OCCURRENCE = 10_000;
const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** The one INSERT of an expense: the unique dedup index, not a prior read, decides (SQL both engines accept). */
const INSERT_EXPENSE = `insert into expense (id, ledger_id, amount_minor, currency, category, description, date, source,
  author_telegram_id, author_name, dedup_key, occurrence, created_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing returning seq`;
const FIND_BY_DEDUP_KEY = `select ${EXPENSE_COLUMNS.join(', ')} from expense where ledger_id = ? and dedup_key = ? and deleted_at is null`;

/**
 * The one place that writes and reads expenses. record() is the only insert;
 * it relies on the unique (ledger, dedup key) index, never on a read first.
 */
@Injectable()
export class ExpensesService {
  constructor(
    private readonly em: EntityManager,
    private readonly batcher: WriteBatcher,
  ) {}

  async record(ledger: Ledger, input: NewExpense): Promise<RecordResult> {
    const currency = ruleCurrency(input.currency, ledger.currency);
    const money = ruleAmount(input.amount, currency);
    const content: ExpenseContent = {
      ledgerId: ledger.id,
      amountMinor: money.minor,
      currency,
      category: ruleCategory(input.category),
      description: ruleDescription(input.description),
      date: ruleDate(input.date, ledger.timezone),
    };
    if (input.occurrence !== undefined) return this.insertOrFind(content, input, input.occurrence);
    if (!input.allowDuplicate) return this.insertOrFind(content, input, 1);
    for (let occurrence = 1; occurrence <= MAX_OCCURRENCE; occurrence++) {
      const result = await this.tryInsert(content, input, occurrence);
      if (result?.created) return result;
    }
    throw new InvalidInputError(`allowDuplicate: this expense is already recorded ${MAX_OCCURRENCE} times`);
  }

  async get(ledger: Ledger, id: string): Promise<ExpenseView> {
    const row = await this.live(ledger).where({ id }).first(...EXPENSE_COLUMNS);
    if (!row) throw new NotFoundError(`expense ${id} not found`);
    return toView(row);
  }

  /** Soft delete: the row stays, its dedup key is freed by the partial unique index. */
  async remove(ledger: Ledger, id: string): Promise<void> {
    const removed = await this.write(async () => {
      const row: ExpenseRow | undefined = await this.live(ledger).where({ id }).first(...EXPENSE_COLUMNS);
      return row ? this.softDelete(ledger, row) : false;
    });
    if (!removed) throw new NotFoundError(`expense ${id} not found`);
  }

  /** Removes the newest expense a Telegram user added to this ledger, if any. */
  async removeLatestBy(ledger: Ledger, telegramId: number): Promise<ExpenseView | undefined> {
    const row: ExpenseRow | undefined = await this.live(ledger)
      .where({ author_telegram_id: telegramId })
      .orderBy('seq', 'desc')
      .first(...EXPENSE_COLUMNS);
    if (!row) return undefined;
    const removed = await this.write(() => this.softDelete(ledger, row));
    return removed ? toView(row) : this.removeLatestBy(ledger, telegramId);
  }

  async list(ledger: Ledger, query: ListQuery): Promise<ExpensePage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new InvalidInputError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !after) throw new InvalidInputError('cursor is not one this API returned');
    const filter = this.checkFilter(query);
    const { items, nextCursor } = await this.page(ledger, filter, query.sort ?? 'date_desc', limit, after);
    const { count, total } = await this.totals(ledger, filter);
    return { items, count, total, nextCursor };
  }

  async totals(ledger: Ledger, filter: ExpenseFilter): Promise<{ count: number; total: Totals }> {
    const sums = await filterTotals(this.db(), ledger.id, this.checkFilter(filter));
    return { count: sums.reduce((n, sum) => n + Number(sum.count), 0), total: toTotals(sums) };
  }

  async summary(ledger: Ledger, range: { from?: string; to?: string }): Promise<Summary> {
    const filter = this.checkFilter(range);
    const byCategory = new Map<string, Array<CurrencySum & { count: number }>>();
    for (const row of await categoryTotals(this.db(), ledger.id, filter)) {
      byCategory.set(row.category, [...(byCategory.get(row.category) ?? []), row]);
    }
    const categories = [...byCategory].map(([category, sums]) => ({
      category,
      count: sums.reduce((n, sum) => n + Number(sum.count), 0),
      total: toTotals(sums),
    }));
    const overall = await this.totals(ledger, filter);
    return { from: filter.from ?? null, to: filter.to ?? null, ...overall, categories };
  }

  /** Every matching expense, in list order, a batch at a time (for CSV export). */
  async *stream(ledger: Ledger, query: ExpenseFilter & { sort?: SortOrder }, batch = 1000): AsyncGenerator<ExpenseView> {
    const filter = this.checkFilter(query);
    let after: Cursor | undefined;
    do {
      const page = await this.page(ledger, filter, query.sort ?? 'date_desc', batch, after);
      yield* page.items;
      after = page.nextCursor ? decodeCursor(page.nextCursor) : undefined;
    } while (after);
  }

  /** One keyset page: fetches one row more than asked to know whether another page follows. */
  private async page(
    ledger: Ledger,
    filter: ExpenseFilter,
    sort: SortOrder,
    limit: number,
    after?: Cursor,
  ): Promise<{ items: ExpenseView[]; nextCursor: string | null }> {
    const query = this.filtered(ledger, filter);
    if (after) keysetAfter(query, after, sort);
    const direction = sort === 'date_asc' ? 'asc' : 'desc';
    const rows: ExpenseRow[] = await query
      .orderBy([
        { column: 'date', order: direction },
        { column: 'seq', order: direction },
      ])
      .limit(limit + 1)
      .select(...EXPENSE_COLUMNS);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toView),
      nextCursor: rows.length > limit && last ? encodeCursor({ date: last.date, seq: last.seq }) : null,
    };
  }

  private async insertOrFind(content: ExpenseContent, input: NewExpense, occurrence: number): Promise<RecordResult> {
    if (!Number.isInteger(occurrence) || occurrence < 1 || occurrence > MAX_OCCURRENCE) {
      throw new InvalidInputError('occurrence is out of range');
    }
    // Three tries: a conflict on a freshly drawn random id (not on the dedup key) just draws another.
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await this.tryInsert(content, input, occurrence);
      if (result) return result;
    }
    throw new Error('could not insert an expense after three attempts');
  }

  /**
   * INSERT … ON CONFLICT DO NOTHING: the unique index, not a prior read,
   * decides. On a conflict, the live expense holding this dedup key is read in
   * the same transaction and returned (created: false); undefined means the
   * conflict was on the random id.
   */
  private async tryInsert(content: ExpenseContent, input: NewExpense, occurrence: number): Promise<RecordResult | undefined> {
    const row: ExpenseRow = {
      seq: 0,
      id: newExpenseId(),
      amount_minor: content.amountMinor.toString(),
      currency: content.currency,
      category: content.category,
      description: content.description,
      date: content.date,
      source: input.source,
      author_telegram_id: input.author?.telegramId ?? null,
      author_name: input.author?.name ?? null,
      created_at: new Date().toISOString(),
    };
    return this.write(async () => {
      const sql = await transactionSql(this.em);
      const insertedRow = await sql.get<{ seq: number }>(
        INSERT_EXPENSE,
        row.id,
        content.ledgerId,
        content.amountMinor,
        row.currency,
        row.category,
        row.description,
        row.date,
        row.source,
        row.author_telegram_id,
        row.author_name,
        dedupKey(content, occurrence),
        occurrence,
        row.created_at,
      );
      if (!insertedRow) {
        const existing = await sql.get<ExpenseRow>(FIND_BY_DEDUP_KEY, content.ledgerId, dedupKey(content, occurrence));
        return existing ? { expense: toView(existing), created: false, occurrence } : undefined;
      }
      await this.batcher.atCommit(DAILY_TOTALS, { ...content, sign: 1 });
      return { expense: toView({ ...row, seq: insertedRow.seq }), created: true, occurrence };
    });
  }

  /** Marks a live row deleted and takes it out of the daily totals; false if someone was first. */
  private async softDelete(ledger: Pick<Ledger, 'id'>, row: ExpenseRow): Promise<boolean> {
    const changed = await this.live(ledger).where({ seq: row.seq }).update({ deleted_at: new Date().toISOString() });
    if (!changed) return false;
    await this.batcher.atCommit(DAILY_TOTALS, {
      ledgerId: ledger.id,
      category: row.category,
      date: row.date,
      currency: row.currency,
      sign: -1,
      amountMinor: row.amount_minor,
    });
    return true;
  }

  /** Runs a write and its daily-totals change atomically, committed with concurrent writes (group commit). */
  private write<T>(work: () => Promise<T>): Promise<T> {
    return this.batcher.run(work);
  }

  /** Validates and normalises a filter; throws InvalidInputError naming the field. */
  checkFilter(filter: ExpenseFilter): ExpenseFilter {
    const checked: ExpenseFilter = {
      category: filter.category === undefined || filter.category === '' ? undefined : ruleCategory(filter.category),
      from: ruleOptionalDate(filter.from, 'from'),
      to: ruleOptionalDate(filter.to, 'to'),
    };
    if (checked.from && checked.to && checked.from > checked.to) {
      throw new InvalidInputError('from must not be after to');
    }
    return checked;
  }

  private filtered(ledger: Pick<Ledger, 'id'>, filter: ExpenseFilter): Knex.QueryBuilder {
    const query = this.live(ledger);
    if (filter.category) query.where('category', filter.category);
    if (filter.from) query.where('date', '>=', filter.from);
    if (filter.to) query.where('date', '<=', filter.to);
    return query;
  }

  private live(ledger: Pick<Ledger, 'id'>): Knex.QueryBuilder {
    return this.db()('expense').where('ledger_id', ledger.id).whereNull('deleted_at');
  }

  private db(): Knex {
    return sql(this.em);
  }
}

function keysetAfter(query: Knex.QueryBuilder, after: Cursor, sort: SortOrder): void {
  const op = sort === 'date_asc' ? '>' : '<';
  query.where((q) => q.where('date', op, after.date).orWhere((same) => same.where('date', after.date).andWhere('seq', op, after.seq)));
}

/** 16 characters of Crockford base32: 80 random bits. */
function newExpenseId(): string {
  const bytes = randomBytes(16);
  let id = '';
  for (let i = 0; i < 16; i++) id += ID_ALPHABET[bytes[i] & 31];
  return id;
}
