import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A REST API token. Only its SHA-256 hash is stored; the token itself is shown once. */
@Entity({ tableName: 'api_token' })
export class ApiToken {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId: number;

  @Property({ type: 'string', fieldName: 'token_hash', unique: true, hidden: true })
  tokenHash: string;

  @Property({ type: 'string', fieldName: 'created_at' })
  createdAt: string = new Date().toISOString();

  constructor(ledgerId: number, tokenHash: string) {
    this.ledgerId = ledgerId;
    this.tokenHash = tokenHash;
  }
}
