import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { todayIn } from '../common/calendar';
import type { RawSql } from '../database/raw-sql';
import type { CommitEffect } from '../database/write-batcher';
import type { Movement } from '../expenses/totals.repository';
import { MovementEffects } from '../expenses/movement-effects';
import { ChatOutbox } from '../outbox/chat-outbox';
import { budgetName, budgetView, THRESHOLDS, totalsCategory } from './budget-month';
import { BudgetsRepository, LedgerBudgetRow } from './budgets.repository';

/**
 * Budget alerts (docs/API.md §8), run by the write batcher after the daily
 * totals of a batch are applied and before its COMMIT: for each budget a
 * new expense of this month counts towards, the month's spending is read
 * and each threshold it reached claims its alert row. Only the transaction
 * whose insert wrote that row queues the message, in the same transaction,
 * so redelivered updates, expenses crossing together and racing instances
 * alert once. A raised limit is a new limit: its thresholds alert again.
 */
@Injectable()
export class BudgetAlerts implements CommitEffect<Movement>, OnModuleInit {
  /** After the daily totals (order 0): the spending read must include this batch. */
  readonly order = 1;

  constructor(
    private readonly clock: Clock,
    private readonly outbox: ChatOutbox,
    private readonly effects: MovementEffects,
    private readonly budgets: BudgetsRepository,
  ) {}

  onModuleInit(): void {
    this.effects.register(this);
  }

  async apply(db: RawSql, movements: Movement[]): Promise<void> {
    const rising = movements.filter((movement) => movement.sign > 0);
    if (rising.length === 0) return;
    const ledgerIds = [...new Set(rising.map((movement) => movement.ledgerId))];
    const all = await this.budgets.ofLedgers(db, ledgerIds);
    const byLedger = new Map<number, LedgerBudgetRow[]>();
    for (const budget of all) {
      const ledgerId = Number(budget.ledger_id);
      byLedger.set(ledgerId, [...(byLedger.get(ledgerId) ?? []), budget]);
    }
    // In ledger order, so that alert claims are taken in one order on every instance.
    for (const [ledgerId, budgets] of byLedger) {
      const month = todayIn(budgets[0].timezone, this.clock.now()).slice(0, 7);
      const counted = rising.filter((movement) => movement.ledgerId === ledgerId && movement.date.startsWith(month));
      for (const budget of budgets) {
        const touched = counted.some(
          (movement) =>
            movement.currency === budget.currency && (budget.category === '*' || movement.category === budget.category),
        );
        if (touched) await this.check(db, ledgerId, budget, month);
      }
    }
  }

  private async check(db: RawSql, ledgerId: number, budget: LedgerBudgetRow, month: string): Promise<void> {
    const limit = BigInt(budget.amount_minor);
    const spent = await this.budgets.spent(db, ledgerId, totalsCategory(budget.category), budget.currency, month);
    const reached = THRESHOLDS.filter((threshold) => spent * 100n >= limit * BigInt(threshold));
    const claimed: number[] = [];
    for (const threshold of reached) {
      if (await this.budgets.claimAlert(db, budget.id, month, threshold, limit)) claimed.push(threshold);
    }
    // One message names the highest threshold this expense reached: jumping past both is one alert, not two.
    if (claimed.length > 0)
      await this.outbox.enqueue(db, budget.ledger_name, alertText(budget, Math.max(...claimed), spent, month));
  }
}

export function alertText(
  budget: Pick<LedgerBudgetRow, 'category' | 'currency' | 'amount_minor'>,
  threshold: number,
  spent: bigint,
  month: string,
): string {
  const view = budgetView(budget, spent);
  const name = budgetName(budget.category);
  const spentOf = `${view.spent} of ${view.amount} ${view.currency} spent in ${month}`;
  return threshold >= 100
    ? `Budget exceeded: ${name} is at ${view.percent}% of its monthly budget (${spentOf}).`
    : `Budget alert: ${name} is at ${view.percent}% of its monthly budget (${spentOf}, ${view.remaining} ${view.currency} left).`;
}
