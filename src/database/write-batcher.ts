import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { isRaceLost } from './database-errors';
import type { RawSql } from './raw-sql';
import { currentTransaction, transaction } from './transactions';
import { writeBatchSize } from '../metrics/metrics';
import { afterCommit } from '../common/fault-injection';

/**
 * A change many writes make to shared rows (the daily totals): in a batch it
 * is applied once, just before COMMIT, for the batch's successful writes
 * together, so it touches each shared row once and in one order.
 */
export interface CommitEffect<T> {
  apply(sql: RawSql, items: T[]): Promise<void>;
  /** Effects of a batch run in this order, lowest first (default 0): one may read what another wrote. */
  readonly order?: number;
}

/** Effects handed over by the writes of one savepoint, by kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- effects of every item type share one map
type Frame = Map<CommitEffect<any>, unknown[]>;

/** Work handed to the batcher: it gets the transaction it runs in, and its SQL goes through that handle. */
export type TransactionWork<T> = (tx: RawSql) => Promise<T>;

interface Pending {
  work: TransactionWork<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** How many times PostgreSQL already chose this write as a deadlock's victim. */
  racesLost: number;
}

/** Writes committed together at most; bounds the latency of the last one in a batch. */
const MAX_BATCH = 128;
/**
 * A batch starts once an event-loop turn passed in which no write joined it,
 * waiting at most this many turns: requests read in one turn reach the queue
 * over the next few (guards, pipes), and without the wait a batch under
 * 32 concurrent creates held 17-19 writes instead of 31.
 */
const MAX_WAIT_TURNS = 2;
/** A write that loses this many races in a row (PostgreSQL deadlocks between instances) fails. */
const MAX_RACES_LOST = 10;

/**
 * Group commit. Concurrent writes queue here and run together in one
 * transaction, each inside its own savepoint so one failure does not undo the
 * others, and every caller is answered only after the shared COMMIT (and its
 * fsync) succeeded. Durability is exactly as strict as one transaction per
 * write; the fsync is paid once per batch instead of once per write.
 *
 * Work is handed its transaction (`tx`, the batch's connection) and runs
 * its SQL there. A write started inside a transaction (a service called
 * from an Idempotency-Key request's or a chat delivery's work) joins it with
 * a savepoint: the one decision here made from async context
 * (transactions.ts).
 */
@Injectable()
export class WriteBatcher {
  private queue: Pending[] = [];
  private flushing = false;
  /** Per open transaction of this batcher, by its handle: one frame of deferred effects per open savepoint. */
  private readonly frames = new WeakMap<RawSql, Frame[]>();
  /** Told after every COMMIT (the outbox sends what the transaction queued). */
  private readonly committed: Array<() => void> = [];

  constructor(private readonly em: EntityManager) {}

  run<T>(work: TransactionWork<T>): Promise<T> {
    // Already inside a transaction (a batch, or an Idempotency-Key request): join it with a savepoint.
    const current = currentTransaction();
    if (current) return this.inSavepoint(current.sql, work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject, racesLost: 0 });
      if (!this.flushing) {
        this.flushing = true;
        // better-sqlite3 answers synchronously, so a batch runs start to end in
        // microtasks. Starting it after the I/O phase, once the queue stopped
        // growing, lets the requests that arrived together join it.
        this.whenSettled(() => void this.flush());
      }
    });
  }

  /** Calls `start` after the first event-loop turn in which no write joined the queue (at most MAX_WAIT_TURNS turns). */
  private whenSettled(start: () => void): void {
    let seen = -1;
    let turns = 0;
    const check = () => {
      if (this.queue.length !== seen && turns++ < MAX_WAIT_TURNS) {
        seen = this.queue.length;
        setImmediate(check);
      } else start();
    };
    setImmediate(check);
  }

  /**
   * Runs work inside a savepoint of the current transaction: a failure undoes
   * only this work (and on PostgreSQL keeps the transaction usable after an
   * error). Plain SAVEPOINT statements, the same in SQLite and PostgreSQL,
   * rather than a nested em.transactional, which would allocate an
   * EntityManager fork and a knex transaction for every write.
   *
   * On PostgreSQL a savepoint that succeeded is not released: RELEASE
   * changes nothing COMMIT does not, and it is a round trip per write on the
   * batch's connection, where every write waits for the ones before it
   * (without it one instance went from 1,804 to 2,092 creates/s). SQLite
   * releases it: there it is a call in process, and every open savepoint adds
   * to the bookkeeping of each page a later write changes (kept open, creates
   * fell to 0.95 and webhooks to 0.92). So on PostgreSQL the writes of a batch
   * nest, and a savepoint is named by its depth: ROLLBACK TO goes back to the
   * most recent savepoint of a name, which is then this write's own, never
   * one a write inside it left open. The names stay few, each prepared once
   * per connection.
   *
   * The work's first statement is handed to the driver right behind the
   * SAVEPOINT, not after its answer: node-postgres sends a connection's
   * queued statements in order, the next as soon as the previous one is
   * answered, so the savepoint is still open before the work's SQL runs, and
   * the write does not wait for a turn of the event loop in between (busy
   * with other requests under load; one instance went from 1,567 to 1,768
   * creates/s over 16 ledgers). better-sqlite3 has run the SAVEPOINT by the
   * time the call returns.
   */
  private async inSavepoint<T>(sql: RawSql, work: TransactionWork<T>): Promise<T> {
    const frames = this.frames.get(sql);
    if (!frames) throw new Error('inSavepoint() needs a transaction of this batcher');
    const frame: Frame = new Map();
    frames.push(frame);
    const name = `write_${frames.length}`;
    const release = sql.engine === 'sqlite' ? () => sql.run(`release savepoint ${name}`) : async () => undefined;
    // The work starts without waiting for the SAVEPOINT's answer: see above.
    const opened = sql.run(`savepoint ${name}`);
    opened.catch(() => undefined); // awaited below, on either road
    try {
      const value = await work(sql);
      await opened;
      await release();
      mergeInto(frames[frames.length - 2], frame);
      return value;
    } catch (error) {
      await opened; // no savepoint, nothing to go back to: that failure is the batch's
      await sql.run(`rollback to savepoint ${name}`);
      await release();
      throw error; // the frame's effects go with the savepoint
    } finally {
      frames.pop();
    }
  }

  /**
   * Hands `item` to `effect` in `tx`: the effect runs once before COMMIT
   * with every successful write's items (PostgreSQL instances then lock the
   * shared rows in one order, so they never deadlock on them). An item handed
   * over in a savepoint that rolls back goes with it.
   */
  async atCommit<T>(tx: RawSql, effect: CommitEffect<T>, item: T): Promise<void> {
    const frame = this.frames.get(tx)?.at(-1);
    if (!frame) throw new Error('atCommit() needs a transaction of this batcher');
    const items = frame.get(effect);
    if (items) items.push(item);
    else frame.set(effect, [item]);
  }

  /** Calls `listener` after every COMMIT of this batcher (not for ROLLBACKs). */
  onCommit(listener: () => void): void {
    this.committed.push(listener);
  }

  /**
   * A transaction of its own (an Idempotency-Key request): writes in it join
   * with savepoints, and its commit effects run together before its COMMIT,
   * in the same order as a batch's, so it locks shared rows in the same order.
   */
  async transaction<T>(work: TransactionWork<T>): Promise<T> {
    const value = await transaction(this.em, (tx) => this.withEffects(tx, work));
    afterCommit();
    for (const listener of this.committed) listener();
    return value;
  }

  /** Runs work in `tx`, then the effects its writes handed over, lowest order first. */
  private async withEffects<T>(tx: RawSql, work: TransactionWork<T>): Promise<T> {
    const effects: Frame = new Map();
    this.frames.set(tx, [effects]);
    try {
      const value = await work(tx);
      const ordered = [...effects].sort(([x], [y]) => (x.order ?? 0) - (y.order ?? 0));
      for (const [effect, items] of ordered) await effect.apply(tx, items);
      return value;
    } finally {
      this.frames.delete(tx);
    }
  }

  /** PostgreSQL undid a write (or the whole batch) to break a deadlock with another instance: run it again later. */
  private retried(item: Pending, error: unknown): boolean {
    if (!isRaceLost(error) || ++item.racesLost > MAX_RACES_LOST) return false;
    this.queue.push(item);
    return true;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
        try {
          await this.transaction(async (tx) => {
            for (const item of batch) {
              try {
                outcomes.push({ ok: true, value: await this.inSavepoint(tx, item.work) });
              } catch (error) {
                outcomes.push({ ok: false, error });
              }
            }
          });
        } catch (error) {
          // The COMMIT failed: nothing of this batch is stored.
          batch.forEach((item) => this.retried(item, error) || item.reject(error));
          continue;
        }
        writeBatchSize.observe(batch.length);
        batch.forEach((item, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) item.resolve(outcome.value);
          else if (!this.retried(item, outcome.error)) item.reject(outcome.error);
        });
        // Let the answers go out and new requests come in before the next batch.
        await new Promise<void>((resolve) => this.whenSettled(resolve));
      }
    } finally {
      this.flushing = false;
    }
  }
}

function mergeInto(parent: Frame, child: Frame): void {
  for (const [effect, items] of child) {
    const into = parent.get(effect);
    if (into) for (const item of items) into.push(item);
    else parent.set(effect, items);
  }
}
