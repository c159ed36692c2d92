import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** An expense posted on a schedule; `next_date` moves on as each date is posted. */
@Entity({ tableName: 'recurring_rule' })
export class RecurringRule {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @Property({ type: 'bigint', fieldName: 'amount_minor' })
  amountMinor!: string;

  @Property({ type: 'string' })
  currency!: string;

  @Property({ type: 'string' })
  category!: string;

  @Property({ type: 'string' })
  description!: string;

  /** 'day', 'week' or 'month'. */
  @Property({ type: 'string' })
  every!: string;

  /** ISO weekday (1-7) or day of the month (1-31) it falls on; 0 for daily rules. */
  @Property({ type: 'integer' })
  day!: number;

  @Property({ type: 'string', fieldName: 'start_date' })
  startDate!: string;

  @Property({ type: 'string', fieldName: 'next_date' })
  nextDate!: string;

  @Property({ type: 'bigint', fieldName: 'author_telegram_id', nullable: true })
  authorTelegramId?: string;

  @Property({ type: 'string', fieldName: 'author_name', nullable: true })
  authorName?: string;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt!: string;

  @Property({ type: 'string', fieldName: 'stopped_at', nullable: true })
  stoppedAt?: string;
}
