import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A message Tally sends on its own (a budget alert, a recurring posting), written with what it reports. */
@Entity({ tableName: 'chat_message' })
export class ChatMessage {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** Where it goes: `telegram` or `slack`. */
  @Property({ type: 'string' })
  platform!: string;

  /** Its address there: a Telegram chat id, or a Slack channel (or user, for a direct message) id. */
  @Property({ type: 'string' })
  address!: string;

  @Property({ type: 'string' })
  text!: string;

  /** Epoch milliseconds. */
  @Property({ type: 'bigint', fieldName: 'created_at' })
  createdAt!: string;

  /** Epoch milliseconds until which an instance holds it to send it. */
  @Property({ type: 'bigint', fieldName: 'claimed_until', default: 0 })
  claimedUntil!: string;

  @Property({ type: 'integer', default: 0 })
  attempts!: number;

  @Property({ type: 'bigint', fieldName: 'sent_at', nullable: true })
  sentAt?: string;
}
