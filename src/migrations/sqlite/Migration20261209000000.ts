import { Migration } from '@mikro-orm/migrations';

/**
 * Messages Tally sends on its own (budget alerts, recurring postings) go to
 * Slack channels too: a queued message names its platform and its address
 * there (a Telegram chat id, a Slack channel or user id) instead of a
 * Telegram chat id. SQLite cannot drop a column's NOT NULL, so the table is
 * copied; messages already queued stay queued, for Telegram.
 */
export class Migration20261209000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table chat_message_new (
      id integer primary key autoincrement,
      platform text not null,
      address text not null,
      text text not null,
      created_at bigint not null,
      claimed_until bigint not null default 0,
      attempts integer not null default 0,
      sent_at bigint null
    )`);
    this
      .addSql(`insert into chat_message_new (id, platform, address, text, created_at, claimed_until, attempts, sent_at)
      select id, 'telegram', cast(chat_id as text), text, created_at, claimed_until, attempts, sent_at from chat_message`);
    this.addSql(`drop table chat_message`);
    this.addSql(`alter table chat_message_new rename to chat_message`);
    this.addSql(`create index chat_message_pending on chat_message (platform, id) where sent_at is null`);
  }
}
