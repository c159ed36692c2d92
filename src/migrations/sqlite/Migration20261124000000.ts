import { Migration } from '@mikro-orm/migrations';

/** The initial schema. Partial indexes keep soft-deleted rows out of dedup and reads. */
export class Migration20261124000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table ledger (
      id integer primary key autoincrement,
      name text not null unique,
      currency text not null,
      timezone text not null,
      created_at text not null
    )`);
    this.addSql(`create table api_token (
      id integer primary key autoincrement,
      ledger_id integer not null references ledger (id) on delete cascade,
      token_hash text not null unique,
      created_at text not null
    )`);
    this.addSql(`create table expense (
      seq integer primary key autoincrement,
      id text not null unique,
      ledger_id integer not null references ledger (id),
      amount_minor bigint not null,
      currency text not null,
      category text not null,
      description text not null default '',
      date text not null,
      source text not null,
      author_telegram_id bigint null,
      author_name text null,
      dedup_key text not null,
      occurrence integer not null,
      created_at text not null,
      deleted_at text null
    )`);
    this.addSql(
      `create unique index expense_dedup_key_unique on expense (ledger_id, dedup_key) where deleted_at is null`,
    );
    // Covering indexes: list pages, counts and totals are answered from the index alone.
    this.addSql(
      `create index expense_ledger_date on expense (ledger_id, date, seq, currency, amount_minor) where deleted_at is null`,
    );
    this.addSql(
      `create index expense_ledger_category_date on expense (ledger_id, category, date, seq, currency, amount_minor) where deleted_at is null`,
    );
    this.addSql(`create index expense_author on expense (ledger_id, author_telegram_id, seq) where deleted_at is null`);
    // Running totals per ledger, day, category and currency, kept in the same
    // transaction as every insert and delete; category '' holds the day's total
    // over all categories. Counts and totals over any filter read a few
    // thousand of these rows instead of every expense.
    this.addSql(`create table expense_day (
      ledger_id integer not null,
      category text not null,
      date text not null,
      currency text not null,
      count integer not null,
      total_minor bigint not null,
      primary key (ledger_id, category, currency, date)
    )`);
    this.addSql(`create table idempotency_key (
      ledger_id integer not null,
      key text not null,
      fingerprint text not null,
      status_code integer not null,
      body text null,
      expires_at bigint not null,
      primary key (ledger_id, key)
    )`);
    this.addSql(`create index idempotency_key_expires on idempotency_key (expires_at)`);
    this.addSql(`create table telegram_update (
      bot_id bigint not null,
      update_id bigint not null,
      claimed_at bigint not null,
      primary key (bot_id, update_id)
    )`);
    this.addSql(`create index telegram_update_claimed on telegram_update (claimed_at)`);
    // The filter behind a /list message's "More" button (callback data is limited to 64 bytes).
    this.addSql(`create table telegram_list_query (
      id integer primary key autoincrement,
      ledger_id integer not null references ledger (id),
      category text null,
      date_from text null,
      date_to text null,
      created_at bigint not null
    )`);
  }
}
