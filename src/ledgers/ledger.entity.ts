import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A book of expenses: one per Telegram chat, or named for API use. */
@Entity({ tableName: 'ledger' })
export class Ledger {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  /** "telegram:<chat id>" for a chat's ledger, otherwise the name given to `npm run token`. */
  @Property({ type: 'string', unique: true })
  name: string;

  @Property({ type: 'string', length: 3 })
  currency: string;

  @Property({ type: 'string' })
  timezone: string;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt: string = new Date().toISOString();

  constructor(name: string, currency: string, timezone: string) {
    this.name = name;
    this.currency = currency;
    this.timezone = timezone;
  }
}
