import { Migration } from '@mikro-orm/migrations';

/**
 * Budgets, their alerts, recurring rules and the chat outbox (docs/API.md §8).
 * Each "exactly once" is a unique key: one alert row per budget, month,
 * threshold and limit; one next date per rule, moved by a guarded UPDATE;
 * chat messages written in the same transaction as what they report.
 */
export class Migration20261128000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table budget (
      id integer primary key autoincrement,
      ledger_id integer not null references ledger (id),
      category text not null,
      currency text not null,
      amount_minor bigint not null,
      created_at text not null,
      updated_at text not null
    )`);
    this.addSql(`create unique index budget_ledger_category_currency on budget (ledger_id, category, currency)`);
    this.addSql(`create table budget_alert (
      budget_id integer not null,
      month text not null,
      threshold integer not null,
      limit_minor bigint not null,
      created_at text not null,
      primary key (budget_id, month, threshold, limit_minor)
    )`);
    this.addSql(`create table recurring_rule (
      id integer primary key autoincrement,
      ledger_id integer not null references ledger (id),
      amount_minor bigint not null,
      currency text not null,
      category text not null,
      description text not null default '',
      every text not null,
      day integer not null,
      start_date text not null,
      next_date text not null,
      author_telegram_id bigint null,
      author_name text null,
      created_at text not null,
      stopped_at text null
    )`);
    this.addSql(`create index recurring_rule_due on recurring_rule (next_date) where stopped_at is null`);
    this.addSql(`create index recurring_rule_ledger on recurring_rule (ledger_id)`);
    this.addSql(`create table chat_message (
      id integer primary key autoincrement,
      chat_id bigint not null,
      text text not null,
      created_at bigint not null,
      claimed_until bigint not null default 0,
      attempts integer not null default 0,
      sent_at bigint null
    )`);
    this.addSql(`create index chat_message_pending on chat_message (id) where sent_at is null`);
  }
}
