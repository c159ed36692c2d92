import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A monthly limit per ledger, category (`*` for all spending) and currency. */
@Entity({ tableName: 'budget' })
export class Budget {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @Property({ type: 'string' })
  category!: string;

  @Property({ type: 'string' })
  currency!: string;

  @Property({ type: 'bigint', fieldName: 'amount_minor' })
  amountMinor!: string;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt!: string;

  @Property({ type: 'string', fieldName: 'updated_at' })
  updatedAt!: string;
}

/** An alert sent: its primary key makes each threshold of a month's limit alert once. */
@Entity({ tableName: 'budget_alert' })
export class BudgetAlert {
  @PrimaryKey({ type: 'integer', fieldName: 'budget_id' })
  budgetId!: number;

  /** YYYY-MM in the ledger's time zone. */
  @PrimaryKey({ type: 'string' })
  month!: string;

  /** 80 or 100 (percent). */
  @PrimaryKey({ type: 'integer' })
  threshold!: number;

  /** The limit the alert was for: a raised limit alerts again. */
  @PrimaryKey({ type: 'bigint', fieldName: 'limit_minor' })
  limitMinor!: string;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt!: string;
}
