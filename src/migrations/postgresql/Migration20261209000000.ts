import { Migration } from '@mikro-orm/migrations';

/**
 * Messages Tally sends on its own (budget alerts, recurring postings) go to
 * Slack channels too: a queued message names its platform and its address
 * there (a Telegram chat id, a Slack channel or user id) instead of a
 * Telegram chat id. Messages already queued stay queued, for Telegram.
 */
export class Migration20261209000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table chat_message add column platform text not null default 'telegram'`);
    this.addSql(`alter table chat_message alter column platform drop default`);
    this.addSql(`alter table chat_message add column address text null`);
    this.addSql(`update chat_message set address = chat_id::text`);
    this.addSql(`alter table chat_message alter column address set not null`);
    this.addSql(`drop index chat_message_pending`);
    this.addSql(`alter table chat_message drop column chat_id`);
    this.addSql(`create index chat_message_pending on chat_message (platform, id) where sent_at is null`);
  }
}
