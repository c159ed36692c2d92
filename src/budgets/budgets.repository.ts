import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';

/** A budget with what an alert needs of its ledger. */
export interface LedgerBudgetRow {
  id: number;
  ledger_id: number;
  category: string;
  currency: string;
  amount_minor: string | number;
  ledger_name: string;
  timezone: string;
}

export interface BudgetRow {
  category: string;
  currency: string;
  amount_minor: string | number;
}

const INSERT = `insert into budget (ledger_id, category, currency, amount_minor, created_at, updated_at)
  values (?, ?, ?, ?, ?, ?) on conflict do nothing`;
const UPDATE = `update budget set amount_minor = ?, updated_at = ? where ledger_id = ? and category = ? and currency = ?`;
/** The budgets of a batch's ledgers in one query (a batch may touch hundreds), the ids as each engine takes a list. */
const OF_LEDGERS = {
  sqlite: `select b.id, b.ledger_id, b.category, b.currency, b.amount_minor, l.name as ledger_name, l.timezone
    from budget b join ledger l on l.id = b.ledger_id where b.ledger_id in (select value from json_each(?)) order by b.ledger_id, b.id`,
  postgresql: `select b.id, b.ledger_id, b.category, b.currency, b.amount_minor, l.name as ledger_name, l.timezone
    from budget b join ledger l on l.id = b.ledger_id where b.ledger_id = any(?::integer[]) order by b.ledger_id, b.id`,
};
/** The row that makes an alert happen once: per budget, month, threshold and limit. */
const CLAIM_ALERT = `insert into budget_alert (budget_id, month, threshold, limit_minor, created_at) values (?, ?, ?, ?, ?)
  on conflict do nothing`;
const SPENT = `select cast(total_minor as text) as spent from expense_month
  where ledger_id = ? and category = ? and currency = ? and month = ?`;

/** The SQL of budgets and their alerts, run on the handle given. */
@Injectable()
export class BudgetsRepository {
  /** Sets a limit: true when it made a new budget, false when it changed an existing one. */
  async upsert(tx: RawSql, ledgerId: number, category: string, currency: string, limit: bigint): Promise<boolean> {
    const now = new Date().toISOString();
    // The unique (ledger, category, currency) index decides between new and changed.
    if ((await tx.run(INSERT, ledgerId, category, currency, limit, now, now)) === 1) return true;
    await tx.run(UPDATE, limit, now, ledgerId, category, currency);
    return false;
  }

  /** Removes the category's budget in one currency, or in all when none is given; resolves how many went. */
  remove(db: RawSql, ledgerId: number, category: string, currency?: string): Promise<number> {
    return currency === undefined
      ? db.run('delete from budget where ledger_id = ? and category = ?', ledgerId, category)
      : db.run(
          'delete from budget where ledger_id = ? and category = ? and currency = ?',
          ledgerId,
          category,
          currency,
        );
  }

  /** A ledger's budgets, `*` first, then by category and currency. */
  ofLedger(db: RawSql, ledgerId: number): Promise<BudgetRow[]> {
    return db.all<BudgetRow>(
      'select category, currency, amount_minor from budget where ledger_id = ? order by category, currency',
      ledgerId,
    );
  }

  /** Every budget of these ledgers with its ledger's name and zone, in ledger order. */
  ofLedgers(db: RawSql, ledgerIds: number[]): Promise<LedgerBudgetRow[]> {
    return db.all<LedgerBudgetRow>(
      OF_LEDGERS[db.engine],
      db.engine === 'postgresql' ? ledgerIds : JSON.stringify(ledgerIds),
    );
  }

  /** True for the one transaction whose insert took this alert. */
  async claimAlert(tx: RawSql, budgetId: number, month: string, threshold: number, limit: bigint): Promise<boolean> {
    return (await tx.run(CLAIM_ALERT, budgetId, month, threshold, limit, new Date().toISOString())) === 1;
  }

  /** Spent in a month (YYYY-MM) on a category ('' for all) and currency, from the monthly totals. */
  async spent(db: RawSql, ledgerId: number, category: string, currency: string, month: string): Promise<bigint> {
    const row = await db.get<{ spent: string }>(SPENT, ledgerId, category, currency, month);
    return BigInt(row?.spent ?? 0);
  }
}
