import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Running count and total of a ledger's live expenses per day, category and currency ('' = all categories). */
@Entity({ tableName: 'expense_day' })
export class ExpenseDay {
  @PrimaryKey({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @PrimaryKey({ type: 'string' })
  category!: string;

  @PrimaryKey({ type: 'string' })
  date!: string;

  @PrimaryKey({ type: 'string' })
  currency!: string;

  @Property({ type: 'integer' })
  count!: number;

  @Property({ type: 'bigint', fieldName: 'total_minor' })
  totalMinor!: string;
}

/** The same per month (YYYY-MM), so totals over whole months read one row per category and currency. */
@Entity({ tableName: 'expense_month' })
export class ExpenseMonth {
  @PrimaryKey({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @PrimaryKey({ type: 'string' })
  category!: string;

  @PrimaryKey({ type: 'string' })
  month!: string;

  @PrimaryKey({ type: 'string' })
  currency!: string;

  @Property({ type: 'integer' })
  count!: number;

  @Property({ type: 'bigint', fieldName: 'total_minor' })
  totalMinor!: string;
}
