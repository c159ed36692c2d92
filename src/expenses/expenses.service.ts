import { newId } from '../common/new-id';
import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import {
  DuplicateExpenseError,
  InvalidInputError,
  NotFoundError,
  PreconditionFailedError,
} from '../common/domain-errors';
import { isUniqueViolation } from '../database/database-errors';
import { WriteBatcher } from '../database/write-batcher';
import { LedgerNumbers } from '../database/ledger-numbers';
import type { RawSql } from '../database/raw-sql';
import type { Ledger } from '../ledgers/ledger.entity';
import { Cursor, decodeCursor, encodeCursor } from './cursor';
import { dedupKey, ExpenseContent } from './dedup-key';
import type { ExpenseSource } from './expense.entity';
import { ruleAmount, ruleCategory, ruleCurrency, ruleDate, ruleDescription, ruleOptionalDate } from './expense-rules';
import { authorColumns, etagOf, ExpenseAuthor, ExpenseRow, ExpenseView, toView } from './expense.view';
import { ExpensesRepository, NewExpenseRow } from './expenses.repository';
import { ChangeSet, diffViews, ExpenseChangeView, toChangeView } from './expense-history';
import { CurrencySum, Totals, toTotals } from './totals';
import { duplicatesAnswered, expensesRecorded } from '../metrics/metrics';
import { categoryTotals, filterTotals, Movement } from './totals.repository';
import { MovementEffects } from './movement-effects';
import { Clock } from '../common/clock';

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
  /** The chat message that recorded it (src/chat/chat-message.ts), so that editing the message edits the expense. */
  messageId?: number;
  /** Keys the expense apart from identical content (a recurring rule and due date): recording it again returns it. */
  keyScope?: string;
}

/** What a front door hands to edit(): only the fields given change; each is checked as on create. */
export interface ExpenseEdit {
  amount?: unknown;
  currency?: unknown;
  category?: unknown;
  description?: unknown;
  date?: unknown;
  /** Let the edit make it identical to another live expense (it becomes another occurrence). */
  allowDuplicate?: boolean;
  source: ExpenseSource;
  author?: ExpenseAuthor;
  /** If-Match: the ETag the client last saw; a different current one → 412. */
  ifMatch?: string;
}

export interface EditResult {
  expense: ExpenseView;
  etag: string;
  /** False when the edit asked for what the expense already was: nothing was written. */
  changed: boolean;
  changes: ChangeSet;
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
/** An edit that keeps losing to concurrent edits of the same expense gives up after this many tries. */
const MAX_EDIT_ATTEMPTS = 20;
/**
 * The one place that writes and reads expenses. record() is the only insert;
 * it relies on the unique (ledger, dedup key) index, never on a read first.
 */
@Injectable()
export class ExpensesService {
  constructor(
    private readonly database: Database,
    private readonly batcher: WriteBatcher,
    private readonly movementEffects: MovementEffects,
    private readonly clock: Clock,
    private readonly numbers: LedgerNumbers,
    private readonly rows: ExpensesRepository,
  ) {}

  async record(ledger: Ledger, input: NewExpense): Promise<RecordResult> {
    const result = await this.recordOnce(ledger, input);
    // Counted once committed: record() resolves after the COMMIT.
    if (result.created) expensesRecorded.inc({ source: input.source });
    else duplicatesAnswered.inc({ layer: 'content' });
    return result;
  }

  private async recordOnce(ledger: Ledger, input: NewExpense): Promise<RecordResult> {
    const currency = ruleCurrency(input.currency, ledger.currency);
    const money = ruleAmount(input.amount, currency);
    const content: ExpenseContent = {
      ledgerId: ledger.id,
      amountMinor: money.minor,
      currency,
      category: ruleCategory(input.category),
      description: ruleDescription(input.description),
      date: ruleDate(input.date, ledger.timezone, this.clock.now()),
    };
    if (input.occurrence !== undefined) return this.insertOrFind(content, input, input.occurrence);
    if (!input.allowDuplicate || input.keyScope !== undefined) return this.insertOrFind(content, input, 1);
    for (let occurrence = 1; occurrence <= MAX_OCCURRENCE; occurrence++) {
      const result = await this.tryInsert(content, input, occurrence);
      if (result?.created) return result;
    }
    throw new InvalidInputError(`allowDuplicate: this expense is already recorded ${MAX_OCCURRENCE} times`);
  }

  async get(ledger: Ledger, id: string): Promise<ExpenseView> {
    return (await this.getTagged(ledger, id)).expense;
  }

  /** The expense with its ETag, for GET /expenses/:id. */
  async getTagged(ledger: Ledger, id: string): Promise<{ expense: ExpenseView; etag: string }> {
    const row = await this.database.read((db) => this.rows.liveById(db, ledger.id, id));
    if (!row) throw new NotFoundError(`expense ${id} not found`);
    return { expense: toView(row), etag: etagOf(row) };
  }

  /** The live expense numbered `number` in this ledger (#12 in the chat). */
  async getByNumber(ledger: Ledger, number: number): Promise<ExpenseView> {
    const row = await this.database.read((db) => this.rows.liveByNumber(db, ledger.id, number));
    if (!row) throw new NotFoundError(`expense #${number} not found`);
    return toView(row);
  }

  /**
   * The expense a Telegram message recorded: undefined when it recorded none;
   * `removed` when it was deleted since.
   */
  async findByMessage(
    ledger: Ledger,
    messageId: number,
  ): Promise<{ expense: ExpenseView; removed: boolean } | undefined> {
    const row = await this.database.read((db) => this.rows.byMessage(db, ledger.id, messageId));
    return row ? { expense: toView(row), removed: row.deleted_at !== null } : undefined;
  }

  /**
   * Changes the fields given (docs/API.md §7). The unique dedup index decides
   * whether the new content collides with another live expense; the version
   * guard makes a concurrent edit or delete win or lose as a whole. The row,
   * its history entry and the daily totals change in one transaction.
   */
  async edit(ledger: Ledger, id: string, input: ExpenseEdit): Promise<EditResult> {
    for (let attempt = 0; attempt < MAX_EDIT_ATTEMPTS; attempt++) {
      const before = await this.database.read((db) => this.rows.liveById(db, ledger.id, id));
      if (!before) throw new NotFoundError(`expense ${id} not found`);
      if (input.ifMatch !== undefined && !etagMatches(input.ifMatch, before)) {
        throw new PreconditionFailedError(
          `If-Match: expense ${id} was changed since; GET it again for its current ETag`,
        );
      }
      const content = this.editedContent(ledger, before, input);
      const after = toView({ ...before, ...contentColumns(content) });
      const changes = diffViews(toView(before), after);
      if (Object.keys(changes).length === 0)
        return { expense: toView(before), etag: etagOf(before), changed: false, changes };
      const result = await this.tryEdit(ledger, before, content, changes, input);
      if (result) return result;
      // Someone else edited or removed it between our read and our write: read again.
    }
    throw new Error(`could not edit expense ${id}: it kept changing`);
  }

  /** Every edit of an expense, oldest first; kept after the expense is removed. */
  async history(ledger: Ledger, id: string): Promise<ExpenseChangeView[]> {
    const changes = await this.database.read(async (db) => {
      const seq = await this.rows.seqOf(db, ledger.id, id);
      return seq === undefined ? undefined : this.rows.changes(db, seq);
    });
    if (!changes) throw new NotFoundError(`expense ${id} not found`);
    return changes.map(toChangeView);
  }

  /**
   * Records a batch of imported rows in one transaction with `alongside` (the
   * import's progress), so a crash keeps both or neither. Each row is its
   * content and its occurrence within the file: importing the same file again
   * finds every key taken and records nothing. Resolves how many were new.
   */
  async recordImported(
    ledger: Ledger,
    rows: Array<{ content: ExpenseContent; occurrence: number }>,
    alongside: (sql: RawSql, recorded: number) => Promise<void>,
  ): Promise<number> {
    // A batch of only rejected rows still records the import's progress (and draws no number).
    const recorded = await this.numbers.withNumbers(ledger.id, rows.length, (numbers) =>
      this.batcher.run(async (tx) => {
        let recorded = 0;
        const createdAt = new Date().toISOString();
        for (const { content, occurrence } of rows) {
          const key = dedupKey(content, occurrence);
          for (;;) {
            const seq = await this.rows.insert(tx, {
              ...newRow(content, key, occurrence),
              source: 'import',
              ...authorColumns(undefined),
              created_at: createdAt,
              number: (await numbers.first(tx)) + recorded,
              message_id: null,
            });
            if (seq !== undefined) {
              recorded++;
              await this.moved(tx, { ...content, sign: 1 });
              break;
            }
            if (await this.rows.liveByDedupKey(tx, ledger.id, key)) break; // already present
            // The conflict was on the freshly drawn random id: draw another.
          }
        }
        await numbers.keep(tx, recorded);
        await alongside(tx, recorded);
        return recorded;
      }),
    );
    expensesRecorded.inc({ source: 'import' }, recorded);
    return recorded;
  }

  /** Soft delete: the row stays, its dedup key is freed by the partial unique index. */
  async remove(ledger: Ledger, id: string): Promise<void> {
    const removed = await this.batcher.run(async (tx) => {
      const row = await this.rows.liveById(tx, ledger.id, id);
      return row ? this.softDelete(tx, ledger, row) : false;
    });
    if (!removed) throw new NotFoundError(`expense ${id} not found`);
  }

  /** Removes the newest expense a chat user (Telegram or Slack) added to this ledger, if any. */
  async removeLatestBy(ledger: Ledger, author: ExpenseAuthor): Promise<ExpenseView | undefined> {
    const row = await this.database.read((db) => this.rows.latestBy(db, ledger.id, author));
    if (!row) return undefined;
    const removed = await this.batcher.run((tx) => this.softDelete(tx, ledger, row));
    return removed ? toView(row) : this.removeLatestBy(ledger, author);
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
    const checked = this.checkFilter(filter);
    const sums = await this.database.read((db) => filterTotals(db, ledger.id, checked));
    return { count: sums.reduce((n, sum) => n + Number(sum.count), 0), total: toTotals(sums) };
  }

  async summary(ledger: Ledger, range: { from?: string; to?: string }): Promise<Summary> {
    const filter = this.checkFilter(range);
    const byCategory = new Map<string, Array<CurrencySum & { count: number }>>();
    for (const row of await this.database.read((db) => categoryTotals(db, ledger.id, filter))) {
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
  async *stream(
    ledger: Ledger,
    query: ExpenseFilter & { sort?: SortOrder },
    batch = 1000,
  ): AsyncGenerator<ExpenseView> {
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
    const rows = await this.rows.page(ledger.id, filter, sort, limit + 1, after);
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
  private async tryInsert(
    content: ExpenseContent,
    input: NewExpense,
    occurrence: number,
  ): Promise<RecordResult | undefined> {
    const row: NewExpenseRow = {
      ...newRow(content, dedupKey(content, occurrence, input.keyScope), occurrence),
      source: input.source,
      ...authorColumns(input.author),
      message_id: input.messageId ?? null,
    };
    return this.numbers.withNumbers(content.ledgerId, 1, (numbers) =>
      this.batcher.run(async (tx) => {
        row.number = await numbers.first(tx);
        const seq = await this.rows.insert(tx, row);
        if (seq === undefined) {
          await numbers.keep(tx, 0);
          const existing = await this.rows.liveByDedupKey(tx, content.ledgerId, row.dedup_key);
          return existing ? { expense: toView(existing), created: false, occurrence } : undefined;
        }
        await this.moved(tx, { ...content, sign: 1 });
        return { expense: toView({ ...row, seq, version: 1, updated_at: null }), created: true, occurrence };
      }),
    );
  }

  /** The content after an edit: given fields checked by the create rules, the rest kept. */
  private editedContent(ledger: Ledger, before: ExpenseRow, input: ExpenseEdit): ExpenseContent {
    const currency =
      input.currency === undefined
        ? before.currency
        : ruleCurrency(requireString(input.currency, 'currency'), before.currency);
    // A new currency re-checks the kept amount too: 12.50 cannot become JPY.
    const amount = input.amount === undefined ? toView(before).amount : input.amount;
    return {
      ledgerId: ledger.id,
      amountMinor: ruleAmount(amount, currency).minor,
      currency,
      category: input.category === undefined ? before.category : ruleCategory(input.category),
      description: input.description === undefined ? before.description : ruleDescription(input.description),
      date:
        input.date === undefined
          ? before.date
          : ruleDate(requireString(input.date, 'date'), ledger.timezone, this.clock.now()),
    };
  }

  /**
   * One try at writing an edit. Undefined when a concurrent edit or delete got
   * there first. A collision on the dedup index is a 409, or with
   * allowDuplicate the next free occurrence.
   */
  private async tryEdit(
    ledger: Ledger,
    before: ExpenseRow,
    content: ExpenseContent,
    changes: ChangeSet,
    input: ExpenseEdit,
  ): Promise<EditResult | undefined> {
    for (let occurrence = 1; occurrence <= MAX_OCCURRENCE; occurrence++) {
      try {
        return await this.batcher.run(async (tx) => {
          const now = new Date().toISOString();
          const edited = { ...content, dedupKey: dedupKey(content, occurrence), occurrence };
          if (!(await this.rows.update(tx, before.seq, before.version, edited, now))) return undefined;
          await this.rows.insertChange(tx, before.seq, {
            ...authorColumns(input.author),
            at: now,
            source: input.source,
            changes: JSON.stringify(changes),
          });
          await this.moved(tx, movementOf(ledger, before, -1));
          await this.moved(tx, { ...content, sign: 1 });
          const after: ExpenseRow = {
            ...before,
            ...contentColumns(content),
            version: Number(before.version) + 1,
            updated_at: now,
          };
          return { expense: toView(after), etag: etagOf(after), changed: true, changes };
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const holder = await this.database.read((db) =>
          this.rows.liveByDedupKey(db, ledger.id, dedupKey(content, occurrence)),
        );
        if (!holder) continue; // the holder went away meanwhile: try this occurrence again
        if (!input.allowDuplicate) {
          throw new DuplicateExpenseError(
            `this change would make expense ${before.id} identical to expense ${holder.id} (#${holder.number}); send allowDuplicate: true to keep both`,
            holder.id,
            Number(holder.number),
          );
        }
      }
    }
    throw new InvalidInputError(`allowDuplicate: this expense is already recorded ${MAX_OCCURRENCE} times`);
  }

  /** Marks a live row deleted and takes it out of the daily totals; false if someone was first. */
  private async softDelete(tx: RawSql, ledger: Pick<Ledger, 'id'>, row: ExpenseRow): Promise<boolean> {
    if (!(await this.rows.softDelete(tx, ledger.id, row.seq, new Date().toISOString()))) return false;
    await this.moved(tx, movementOf(ledger, row, -1));
    return true;
  }

  /** Every change to what a ledger spent goes through here, to each registered effect (the daily totals first). */
  private async moved(tx: RawSql, movement: Movement): Promise<void> {
    for (const effect of this.movementEffects.all()) await this.batcher.atCommit(tx, effect, movement);
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
}

/** A new row: its content under a fresh id and its dedup key; the caller adds source, author, number and message. */
function newRow(content: ExpenseContent, key: string, occurrence: number) {
  return {
    id: newId(),
    ledger_id: content.ledgerId,
    amount_minor: content.amountMinor,
    currency: content.currency,
    category: content.category,
    description: content.description,
    date: content.date,
    dedup_key: key,
    occurrence,
    created_at: new Date().toISOString(),
    number: 0,
  };
}

function movementOf(ledger: Pick<Ledger, 'id'>, row: ExpenseRow, sign: 1 | -1): Movement {
  return {
    ledgerId: ledger.id,
    category: row.category,
    date: row.date,
    currency: row.currency,
    sign,
    amountMinor: row.amount_minor,
  };
}

function contentColumns(
  content: ExpenseContent,
): Pick<ExpenseRow, 'amount_minor' | 'currency' | 'category' | 'description' | 'date'> {
  return {
    amount_minor: content.amountMinor,
    currency: content.currency,
    category: content.category,
    description: content.description,
    date: content.date,
  };
}

/** If-Match: "*" or a list of ETags, weak or strong, one of which is current. */
function etagMatches(ifMatch: string, row: ExpenseRow): boolean {
  const current = etagOf(row);
  return ifMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === current || trimmed === `W/${current}`;
  });
}

/** PATCH may not null a field: null would otherwise mean "today" or "the ledger's currency". */
function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(`${field} must be a string`);
  return value;
}
