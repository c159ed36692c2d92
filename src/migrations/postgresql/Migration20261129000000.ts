import { Migration } from '@mikro-orm/migrations';

/** Monthly totals beside the daily ones, as SQLite's Migration20261129000000. */
export class Migration20261129000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table expense_month (
      ledger_id integer not null,
      category text collate "C" not null,
      month text collate "C" not null,
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
