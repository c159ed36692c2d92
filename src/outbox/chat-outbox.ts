import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Database } from '../database/database';
import type { RawSql } from '../database/raw-sql';
import { ChatAddress, chatAddressOf } from '../ledgers/chat-ledger';
import { WriteBatcher } from '../database/write-batcher';
import { OutboxRepository, QueuedMessage } from './outbox.repository';

/** Sends one message to a chat of its platform; throws when the platform refused or failed. */
export type ChatSender = (address: string, text: string) => Promise<void>;
type Platform = ChatAddress['platform'];

/** A message whose sender crashed mid-send is sent again once its lease has run out. */
const LEASE_MS = 60_000;
/** A message the platform keeps refusing (the bot was blocked, the chat is gone) is given up. */
const MAX_ATTEMPTS = 5;
const BATCH = 50;
const SENT_KEPT_MS = 7 * 86_400_000;
/** How often queued messages are looked for besides after each COMMIT (tests make it longer). */
const CHECK_MS = 5_000;

/**
 * Messages the app sends on its own (budget alerts, recurring postings). They
 * are written in the same transaction as what they report, so a crash keeps
 * both or neither, and sent afterwards by whichever instance claims them.
 * A crash between sending and marking sent can repeat one message; nothing
 * is ever lost. Each message goes to its ledger's chat, on Telegram or on
 * Slack, and only an instance that runs that platform's bot takes it.
 */
@Injectable()
export class ChatOutbox implements OnApplicationShutdown {
  private readonly logger = new Logger('ChatOutbox');
  private readonly senders = new Map<Platform, ChatSender>();
  private running?: Promise<void>;
  private again = false;
  private timer?: NodeJS.Timeout;
  private everyMs = Infinity;
  /** Messages queued in transactions that may have committed since: the next COMMIT starts a delivery. */
  private queued = false;

  constructor(
    private readonly database: Database,
    private readonly messages: OutboxRepository,
    batcher: WriteBatcher,
  ) {
    batcher.onCommit(() => {
      if (!this.queued) return;
      this.queued = false;
      this.deliverSoon();
    });
  }

  /** Queues a message to the chat that owns the ledger, inside the caller's transaction; nothing for API ledgers. */
  async enqueue(tx: RawSql, ledgerName: string, text: string): Promise<void> {
    const to = chatAddressOf(ledgerName);
    if (!to) return;
    await this.messages.enqueue(tx, to, text);
    this.queued = true;
  }

  /**
   * A bot registers how to send to its platform; from then on queued messages
   * go out after each COMMIT that queued one, and every `everyMs` (messages
   * of a transaction that committed later, or whose sender crashed; the
   * shortest period a bot asks for).
   */
  start(platform: Platform, sender: ChatSender, everyMs = CHECK_MS): void {
    this.senders.set(platform, sender);
    if (everyMs < this.everyMs) {
      this.everyMs = everyMs;
      clearInterval(this.timer);
      this.timer = setInterval(() => this.deliverSoon(), everyMs);
      this.timer.unref();
    }
    this.deliverSoon();
  }

  /** Sends what is queued, now; call after committing messages. */
  deliverSoon(): void {
    if (this.senders.size === 0) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliverAll().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.deliverSoon();
      }
    });
  }

  /** Resolves when nothing is being sent (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.everyMs = Infinity;
    this.senders.clear();
    await this.idle();
  }

  private async deliverAll(): Promise<void> {
    try {
      for (const platform of [...this.senders.keys()]) {
        for (;;) {
          const now = Date.now();
          const pending = await this.pool((db) => this.messages.pending(db, platform, now, BATCH));
          for (const message of pending) await this.deliver(platform, message);
          if (pending.length < BATCH) break;
        }
      }
    } catch (error) {
      this.logger.warn(`sending queued chat messages failed: ${(error as Error).message}`);
    }
  }

  private async deliver(platform: Platform, message: QueuedMessage): Promise<void> {
    const sender = this.senders.get(platform);
    if (!sender) return;
    const now = Date.now();
    if (!(await this.pool((db) => this.messages.lease(db, message.id, now, now + LEASE_MS)))) return; // another instance has it
    try {
      await sender(message.address, message.text);
      await this.pool((db) => this.messages.close(db, message.id, Date.now()));
    } catch (error) {
      const giveUp = Number(message.attempts) + 1 >= MAX_ATTEMPTS;
      this.logger.warn(
        `message ${message.id} to ${platform} chat ${message.address} not sent: ${(error as Error).message}${giveUp ? ' (given up)' : ''}`,
      );
      // Back off a little more each time; a message given up is closed like a sent one (the log says so).
      await this.pool((db) =>
        giveUp
          ? this.messages.close(db, message.id, Date.now())
          : this.messages.retryAfter(db, message.id, Date.now() + 5_000 * (Number(message.attempts) + 1)),
      );
    }
  }

  /**
   * Sending runs on a pooled connection, never in a caller's transaction:
   * a delivery may be started from code running inside one, and must not
   * wait for it, join it, or outlive it.
   */
  private pool<T>(use: (db: RawSql) => Promise<T>): Promise<T> {
    return this.database.pooled(use);
  }

  /** Drops messages sent (or given up) more than a week ago. */
  prune(now = Date.now()): Promise<number> {
    return this.pool((db) => this.messages.prune(db, now - SENT_KEPT_MS));
  }
}
