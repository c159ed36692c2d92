import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A chat delivery some instance has handled: a Telegram update ("botId:updateId"),
 * a Slack event, message or command. The primary key makes each run once.
 */
@Entity({ tableName: 'chat_claim' })
export class ChatClaim {
  /** 'telegram' or 'slack'. */
  @PrimaryKey({ type: 'string' })
  platform!: string;

  @PrimaryKey({ type: 'string', fieldName: 'claim_key' })
  claimKey!: string;

  /** Epoch milliseconds, for pruning old claims. */
  @Property({ type: 'bigint', fieldName: 'claimed_at' })
  claimedAt!: string;
}
