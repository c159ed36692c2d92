import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { Clock } from '../common/clock';
import { todayIn } from '../common/calendar';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { transactionSql, withSql } from '../database/raw-sql';
import { sql } from '../database/sql';
import { WriteBatcher } from '../database/write-batcher';
import { ruleAmount, ruleCategory, ruleCurrency } from '../expenses/expense-rules';
import type { Ledger } from '../ledgers/ledger.entity';
import { ALL_SPENDING, BudgetView, budgetView, spentInMonth } from './budget-month';

export interface BudgetsOfMonth {
  /** YYYY-MM: the ledger's current month in its time zone. */
  month: string;
  items: BudgetView[];
}

const INSERT_BUDGET = `insert into budget (ledger_id, category, currency, amount_minor, created_at, updated_at) values (?, ?, ?, ?, ?, ?) on conflict do nothing`;
const UPDATE_BUDGET = `update budget set amount_minor = ?, updated_at = ? where ledger_id = ? and category = ? and currency = ?`;

/** Monthly limits per ledger, category (or `*`) and currency (docs/API.md §8). */
@Injectable()
export class BudgetsService {
  constructor(
    private readonly em: EntityManager,
    private readonly batcher: WriteBatcher,
    private readonly clock: Clock,
  ) {}

  /** Sets a limit; created is false when it replaced the limit of an existing budget. */
  async set(
    ledger: Ledger,
    category: unknown,
    input: { amount: unknown; currency?: unknown },
  ): Promise<{ budget: BudgetView; created: boolean }> {
    const name = budgetCategory(category);
    if (input.currency !== undefined && typeof input.currency !== 'string')
      throw new InvalidInputError('currency must be a string such as "USD"');
    const currency = ruleCurrency(input.currency, ledger.currency);
    const limit = ruleAmount(input.amount, currency).minor;
    const created = await this.batcher.run(async () => {
      const db = await transactionSql(this.em);
      const now = new Date().toISOString();
      // The unique (ledger, category, currency) index decides between new and changed.
      if ((await db.run(INSERT_BUDGET, ledger.id, name, currency, limit, now, now)) === 1) return true;
      await db.run(UPDATE_BUDGET, limit, now, ledger.id, name, currency);
      return false;
    });
    const month = this.month(ledger);
    const spent = await withSql(this.em, (db) => spentInMonth(db, ledger.id, name, currency, month));
    return { budget: budgetView({ category: name, currency, amount_minor: limit }, spent), created };
  }

  /** Removes the category's budget in one currency, or in every currency when none is given. */
  async remove(ledger: Ledger, category: unknown, currency?: unknown): Promise<number> {
    const name = budgetCategory(category);
    const query = sql(this.em)('budget').where({ ledger_id: ledger.id, category: name });
    if (currency !== undefined && currency !== '') {
      if (typeof currency !== 'string') throw new InvalidInputError('currency must be a string such as "USD"');
      query.where({ currency: ruleCurrency(currency, ledger.currency) });
    }
    const removed = await query.delete();
    if (removed === 0)
      throw new NotFoundError(
        `no budget for ${name === ALL_SPENDING ? '*' : name}${typeof currency === 'string' && currency ? ` in ${currency.toUpperCase()}` : ''}`,
      );
    return removed;
  }

  /** Every budget of the ledger with this month's spending, `*` first, then by category and currency. */
  async list(ledger: Ledger): Promise<BudgetsOfMonth> {
    const month = this.month(ledger);
    const rows: Array<{ category: string; currency: string; amount_minor: string }> = await sql(this.em)('budget')
      .where({ ledger_id: ledger.id })
      .orderBy([{ column: 'category' }, { column: 'currency' }])
      .select('category', 'currency', 'amount_minor');
    const items = await withSql(this.em, async (db) => {
      const views: BudgetView[] = [];
      for (const row of rows)
        views.push(budgetView(row, await spentInMonth(db, ledger.id, row.category, row.currency, month)));
      return views;
    });
    return { month, items };
  }

  private month(ledger: Ledger): string {
    return todayIn(ledger.timezone, this.clock.now()).slice(0, 7);
  }
}

/** `*` (all spending) or a category by the expense rules. */
export function budgetCategory(category: unknown): string {
  if (typeof category === 'string' && category.trim() === ALL_SPENDING) return ALL_SPENDING;
  return ruleCategory(category);
}
