import { Migration } from '@mikro-orm/migrations';

/**
 * Monthly totals beside the daily ones, so a year's summary or a ledger's
 * all-time total reads 12 rows per category and currency a year instead of
 * 365. Filled from expense_day, which holds the same sums by day.
 */
export class Migration20261129000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table expense_month (
      ledger_id integer not null,
      category text not null,
      month text not null,
      currency text not null,
      count integer not null,
      total_minor bigint not null,
      primary key (ledger_id, category, currency, month)
    )`);
    this.addSql(`insert into expense_month (ledger_id, category, month, currency, count, total_minor)
      select ledger_id, category, substr(date, 1, 7), currency, sum(count), sum(total_minor)
      from expense_day group by ledger_id, category, substr(date, 1, 7), currency`);
  }
}
