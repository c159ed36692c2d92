import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { sql } from '../database/sql';
import { transactionSql } from '../database/raw-sql';

const CLAIM = 'insert into chat_claim (platform, claim_key, claimed_at) values (?, ?, ?) on conflict do nothing';

/** How long claims are kept. Telegram and Slack retry for far less (Slack: 5 minutes). */
export const CLAIM_DAYS = 7;

export type ChatPlatform = 'telegram' | 'slack';

/**
 * Which deliveries have been handled, for every chat platform in one table.
 * A claim is written in the caller's transaction, so it commits together with
 * what the delivery recorded, or not at all.
 */
@Injectable()
export class ChatClaims {
  constructor(private readonly em: EntityManager) {}

  /** False when the key was claimed before: a retry or a twin delivery. */
  async claim(platform: ChatPlatform, key: string): Promise<boolean> {
    const sql = await transactionSql(this.em);
    return (await sql.run(CLAIM, platform, key, Date.now())) === 1;
  }

  async prune(now = Date.now()): Promise<number> {
    return sql(this.em)('chat_claim')
      .where('claimed_at', '<', now - CLAIM_DAYS * 86_400_000)
      .delete();
  }
}
