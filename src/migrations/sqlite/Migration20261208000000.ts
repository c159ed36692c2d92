import { Migration } from '@mikro-orm/migrations';

/**
 * Slack joins Telegram as a chat front door. Claims of both platforms move to
 * one table keyed by platform (Telegram: "botId:updateId"; Slack: its event
 * and message ids), copied over so a retry in flight during the upgrade is
 * still recognised. Expenses and their history may name a Slack author.
 */
export class Migration20261208000000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table chat_claim (
      platform text not null,
      claim_key text not null,
      claimed_at bigint not null,
      primary key (platform, claim_key)
    )`);
    this.addSql(`create index chat_claim_claimed on chat_claim (claimed_at)`);
    this.addSql(`insert into chat_claim (platform, claim_key, claimed_at)
      select 'telegram', cast(bot_id as text) || ':' || cast(update_id as text), claimed_at from telegram_update`);
    this.addSql(`drop table telegram_update`);
    this.addSql(`alter table expense add column author_slack_id text null`);
    this.addSql(`alter table expense_change add column author_slack_id text null`);
    this.addSql(
      `create index expense_slack_author on expense (ledger_id, author_slack_id, seq) where deleted_at is null and author_slack_id is not null`,
    );
  }
}
