import { Migration } from '@mikro-orm/migrations';

/**
 * Expense numbers (#12) move from ledger.last_number to a table of their own,
 * which nothing else writes: on PostgreSQL numbers are drawn outside the
 * writing transaction (src/database/ledger-numbers.ts), and a counter on the
 * ledger row would wait for any transaction that changes the ledger's
 * settings. No foreign key: a draw may come before its new ledger commits.
 */
export class Migration20261207000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table ledger_number (ledger_id integer not null primary key, last_number integer not null)`);
    this.addSql(
      `insert into ledger_number (ledger_id, last_number) select id, last_number from ledger where last_number > 0`,
    );
    this.addSql(`alter table ledger drop column last_number`);
  }
}
