import { Injectable } from '@nestjs/common';
import type { RawSql } from '../database/raw-sql';
import type { ChatAddress } from '../ledgers/chat-ledger';

export interface QueuedMessage {
  id: number | string;
  address: string;
  text: string;
  attempts: number;
}

const ENQUEUE = 'insert into chat_message (platform, address, text, created_at) values (?, ?, ?, ?)';
const PENDING = `select id, address, text, attempts from chat_message
  where platform = ? and sent_at is null and claimed_until < ? order by id limit ?`;
/** Only one instance sends a message: this guarded update gives it a lease. */
const LEASE = `update chat_message set claimed_until = ?, attempts = attempts + 1
  where id = ? and sent_at is null and claimed_until < ?`;

/** The SQL of the chat outbox (chat_message), run on the handle given. */
@Injectable()
export class OutboxRepository {
  async enqueue(tx: RawSql, to: ChatAddress, text: string): Promise<void> {
    await tx.run(ENQUEUE, to.platform, to.address, text, Date.now());
  }

  /** Unsent messages to one platform that nobody holds, oldest first. */
  pending(db: RawSql, platform: ChatAddress['platform'], now: number, limit: number): Promise<QueuedMessage[]> {
    return db.all<QueuedMessage>(PENDING, platform, now, limit);
  }

  /** True for the one instance whose update took the message until `until`. */
  async lease(db: RawSql, id: number | string, now: number, until: number): Promise<boolean> {
    return (await db.run(LEASE, until, id, now)) === 1;
  }

  /** Sent, or given up: either way closed. */
  async close(db: RawSql, id: number | string, at: number): Promise<void> {
    await db.run('update chat_message set sent_at = ? where id = ?', at, id);
  }

  async retryAfter(db: RawSql, id: number | string, at: number): Promise<void> {
    await db.run('update chat_message set claimed_until = ? where id = ?', at, id);
  }

  /** Drops messages closed and created before `before`. */
  prune(db: RawSql, before: number): Promise<number> {
    return db.run('delete from chat_message where sent_at is not null and created_at < ?', before);
  }
}
