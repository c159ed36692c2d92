import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';

const CLAIM = 'insert into chat_claim (platform, claim_key, claimed_at) values (?, ?, ?) on conflict do nothing';
const PRUNE = 'delete from chat_claim where claimed_at < ?';

/** How long claims are kept. Telegram and Slack retry for far less (Slack: 5 minutes). */
export const CLAIM_DAYS = 7;

export type ChatPlatform = 'telegram' | 'slack';

/**
 * Which deliveries have been handled, for every chat platform in one table.
 * A claim is written in the caller's transaction, so it commits together with
 * what the delivery recorded, or not at all.
 */
@Injectable()
export class ChatClaimsRepository {
  /** False when the key was claimed before: a retry or a twin delivery. */
  async claim(tx: RawSql, platform: ChatPlatform, key: string): Promise<boolean> {
    return (await tx.run(CLAIM, platform, key, Date.now())) === 1;
  }

  prune(db: RawSql, now = Date.now()): Promise<number> {
    return db.run(PRUNE, now - CLAIM_DAYS * 86_400_000);
  }
}
