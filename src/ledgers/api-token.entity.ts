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

  /** What the owner called it ("laptop", "from /token"). */
  @Property({ type: 'string', nullable: true })
  label?: string;

  @Property({ type: 'string', fieldName: 'expires_at', nullable: true })
  expiresAt?: string;

  /** Refreshed at most once a minute, when the token is looked up. */
  @Property({ type: 'string', fieldName: 'last_used_at', nullable: true })
  lastUsedAt?: string;

  /** A revoked token opens nothing; the row stays for the record. */
  @Property({ type: 'string', fieldName: 'revoked_at', nullable: true })
  revokedAt?: string;

  constructor(ledgerId: number, tokenHash: string) {
    this.ledgerId = ledgerId;
    this.tokenHash = tokenHash;
  }
}
