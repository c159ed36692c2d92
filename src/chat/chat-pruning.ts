import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Database } from '../database/database';
import type { RawSql } from '../database/raw-sql';
import { ChatOutbox } from '../outbox/chat-outbox';
import { ChatClaimsRepository } from './chat-claims.repository';

const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Drops what the chat front doors keep only for a while: delivery claims
 * older than any retry, and messages sent a week ago. Runs wherever a chat
 * bot runs (Telegram, Slack, or both: once), at start-up and hourly.
 */
@Injectable()
export class ChatPruning implements OnApplicationShutdown {
  private readonly logger = new Logger('ChatPruning');
  private timer?: NodeJS.Timeout;
  private readonly extras: Array<(db: RawSql) => Promise<unknown>> = [];

  constructor(
    private readonly database: Database,
    private readonly claims: ChatClaimsRepository,
    private readonly outbox: ChatOutbox,
  ) {}

  /** Called by each bot at start-up, with what it keeps of its own (Telegram: its /list buttons); the first call starts the timer. */
  async start(extra?: (db: RawSql) => Promise<unknown>): Promise<void> {
    if (extra) this.extras.push(extra);
    if (this.timer) return;
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.timer.unref();
    await this.prune();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async prune(): Promise<void> {
    try {
      await this.database.read(async (db) => {
        await this.claims.prune(db);
        for (const extra of this.extras) await extra(db);
      });
      await this.outbox.prune();
    } catch (error) {
      this.logger.warn(`pruning chat state failed: ${(error as Error).message}`);
    }
  }
}
