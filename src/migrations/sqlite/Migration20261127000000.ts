import { Migration } from '@mikro-orm/migrations';

/**
 * Editing (docs/API.md §7): a short number per ledger, a version for ETags, the
 * Telegram message that recorded an expense, and the history of every change.
 */
export class Migration20261127000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ledger add column last_number integer not null default 0`);
    this.addSql(`alter table expense add column number integer not null default 0`);
    this.addSql(`alter table expense add column version integer not null default 1`);
    this.addSql(`alter table expense add column updated_at text null`);
    this.addSql(`alter table expense add column message_id bigint null`);
    // Existing expenses are numbered in the order they were recorded.
    this.addSql(`update expense set number = numbered.n
      from (select seq, row_number() over (partition by ledger_id order by seq) as n from expense) as numbered
      where numbered.seq = expense.seq`);
    this.addSql(
      `update ledger set last_number = (select coalesce(max(number), 0) from expense where expense.ledger_id = ledger.id)`,
    );
    this.addSql(`create unique index expense_ledger_number on expense (ledger_id, number)`);
    this.addSql(
      `create unique index expense_ledger_message on expense (ledger_id, message_id) where message_id is not null`,
    );
    this.addSql(`create table expense_change (
      id integer primary key autoincrement,
      expense_seq integer not null references expense (seq),
      at text not null,
      source text not null,
      author_telegram_id bigint null,
      author_name text null,
      changes text not null
    )`);
    this.addSql(`create index expense_change_expense on expense_change (expense_seq, id)`);
  }
}
