import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

export type ExpenseSource = 'api' | 'web' | 'telegram' | 'slack' | 'import' | 'recurring';

/**
 * One recorded expense. The hot paths read and write this table through SQL
 * in ExpensesService; the entity documents the columns for the ORM.
 */
@Entity({ tableName: 'expense' })
export class Expense {
  /** Insertion order; breaks ties between expenses of the same date. */
  @PrimaryKey({ type: 'integer', autoincrement: true })
  seq!: number;

  /** Public, random id: reveals nothing about other ledgers. */
  @Property({ type: 'string', unique: true })
  id!: string;

  @Property({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @Property({ type: 'bigint', fieldName: 'amount_minor' })
  amountMinor!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'string' })
  category!: string;

  @Property({ type: 'string' })
  description!: string;

  /** Calendar date YYYY-MM-DD in the ledger's zone. */
  @Property({ type: 'string' })
  date!: string;

  @Property({ type: 'string' })
  source!: ExpenseSource;

  @Property({ type: 'bigint', fieldName: 'author_telegram_id', nullable: true })
  authorTelegramId?: string;

  @Property({ type: 'string', fieldName: 'author_slack_id', nullable: true })
  authorSlackId?: string;

  @Property({ type: 'string', fieldName: 'author_name', nullable: true })
  authorName?: string;

  /** Content hash plus occurrence: unique among a ledger's live expenses. */
  @Property({ type: 'string', fieldName: 'dedup_key' })
  dedupKey!: string;

  @Property({ type: 'integer' })
  occurrence!: number;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt!: string;

  @Property({ type: 'string', fieldName: 'deleted_at', nullable: true })
  deletedAt?: string;

  /** Short number within the ledger (#12 in the chat), drawn from ledger_number (src/database/ledger-numbers.ts). */
  @Property({ type: 'integer' })
  number!: number;

  /** Bumped by every edit; the ETag. */
  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'string', fieldName: 'updated_at', nullable: true })
  updatedAt?: string;

  /** The chat message that recorded it (Telegram message id, Slack ts as microseconds): editing that message edits this expense. */
  @Property({ type: 'bigint', fieldName: 'message_id', nullable: true })
  messageId?: string;
}

/** One edit of an expense: what changed, when, through which front door and by whom. */
@Entity({ tableName: 'expense_change' })
export class ExpenseChange {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', fieldName: 'expense_seq' })
  expenseSeq!: number;

  @Property({ type: 'string' })
  at!: string;

  @Property({ type: 'string' })
  source!: ExpenseSource;

  @Property({ type: 'bigint', fieldName: 'author_telegram_id', nullable: true })
  authorTelegramId?: string;

  @Property({ type: 'string', fieldName: 'author_slack_id', nullable: true })
  authorSlackId?: string;

  @Property({ type: 'string', fieldName: 'author_name', nullable: true })
  authorName?: string;

  /** JSON: {"amount": {"from": "12.50", "to": "13.50"}, …} */
  @Property({ type: 'string' })
  changes!: string;
}
