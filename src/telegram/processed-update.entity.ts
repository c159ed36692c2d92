import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A Telegram update this bot has claimed; the primary key makes each one run once. */
@Entity({ tableName: 'telegram_update' })
export class ProcessedUpdate {
  @PrimaryKey({ type: 'bigint', fieldName: 'bot_id' })
  botId!: string;

  @PrimaryKey({ type: 'bigint', fieldName: 'update_id' })
  updateId!: string;

  /** Epoch milliseconds, for pruning old claims. */
  @Property({ type: 'bigint', fieldName: 'claimed_at' })
  claimedAt!: string;
}
