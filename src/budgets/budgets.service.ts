import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { Clock } from '../common/clock';
import { todayIn } from '../common/calendar';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { WriteBatcher } from '../database/write-batcher';
import { ruleAmount, ruleCategory, ruleCurrency } from '../expenses/expense-rules';
import type { Ledger } from '../ledgers/ledger.entity';
import { ALL_SPENDING, BudgetView, budgetView, totalsCategory } from './budget-month';
import { BudgetsRepository } from './budgets.repository';

export interface BudgetsOfMonth {
  /** YYYY-MM: the ledger's current month in its time zone. */
  month: string;
  items: BudgetView[];
}

/** Monthly limits per ledger, category (or `*`) and currency (docs/API.md §8). */
@Injectable()
export class BudgetsService {
  constructor(
    private readonly database: Database,
    private readonly batcher: WriteBatcher,
    private readonly clock: Clock,
    private readonly budgets: BudgetsRepository,
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
    const created = await this.batcher.run((tx) => this.budgets.upsert(tx, ledger.id, name, currency, limit));
    const month = this.month(ledger);
    const spent = await this.database.read((db) =>
      this.budgets.spent(db, ledger.id, totalsCategory(name), currency, month),
    );
    return { budget: budgetView({ category: name, currency, amount_minor: limit }, spent), created };
  }

  /** Removes the category's budget in one currency, or in every currency when none is given. */
  async remove(ledger: Ledger, category: unknown, currency?: unknown): Promise<number> {
    const name = budgetCategory(category);
    let only: string | undefined;
    if (currency !== undefined && currency !== '') {
      if (typeof currency !== 'string') throw new InvalidInputError('currency must be a string such as "USD"');
      only = ruleCurrency(currency, ledger.currency);
    }
    const removed = await this.database.read((db) => this.budgets.remove(db, ledger.id, name, only));
    if (removed === 0)
      throw new NotFoundError(
        `no budget for ${name === ALL_SPENDING ? '*' : name}${typeof currency === 'string' && currency ? ` in ${currency.toUpperCase()}` : ''}`,
      );
    return removed;
  }

  /** Every budget of the ledger with this month's spending, `*` first, then by category and currency. */
  async list(ledger: Ledger): Promise<BudgetsOfMonth> {
    const month = this.month(ledger);
    const items = await this.database.read(async (db) => {
      const views: BudgetView[] = [];
      for (const row of await this.budgets.ofLedger(db, ledger.id)) {
        const spent = await this.budgets.spent(db, ledger.id, totalsCategory(row.category), row.currency, month);
        views.push(budgetView(row, spent));
      }
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
