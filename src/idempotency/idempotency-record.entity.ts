import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** The stored response to a request made with an Idempotency-Key. */
@Entity({ tableName: 'idempotency_key' })
export class IdempotencyRecord {
  @PrimaryKey({ type: 'integer', fieldName: 'ledger_id' })
  ledgerId!: number;

  @PrimaryKey({ type: 'string' })
  key!: string;

  /** Hash of method, path and body: a reused key with another request is refused. */
  @Property({ type: 'string' })
  fingerprint!: string;

  @Property({ type: 'integer', fieldName: 'status_code' })
  statusCode!: number;

  /** The response body as JSON text, or null for 204. */
  @Property({ type: 'text', nullable: true })
  body?: string;

  /** Epoch milliseconds after which the key may be reused. */
  @Property({ type: 'bigint', fieldName: 'expires_at' })
  expiresAt!: string;
}
