import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/better-sqlite';
import { prepared, transactionConnection } from './transaction-connection';

interface Pending {
  work: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Writes committed together at most; bounds the latency of the last one in a batch. */
const MAX_BATCH = 128;

/**
 * Group commit. Concurrent writes queue here and run together in one
 * transaction, each inside its own savepoint so one failure does not undo the
 * others, and every caller is answered only after the shared COMMIT (and its
 * fsync) succeeded. Durability is exactly as strict as one transaction per
 * write; the fsync is paid once per batch instead of once per write.
 *
 * Work runs with the batch's transaction as the EntityManager's context, so
 * it must reach the database through that context (sql(em)), never through a
 * fresh fork, which would wait for the connection this batch holds.
 */
@Injectable()
export class WriteBatcher {
  private queue: Pending[] = [];
  private flushing = false;
  private depth = 0;

  constructor(private readonly em: EntityManager) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    // Already inside a transaction (a batch, or an Idempotency-Key request): join it with a savepoint.
    if (this.em.isInTransaction()) return this.inSavepoint(work);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushing) {
        this.flushing = true;
        // better-sqlite3 answers synchronously, so a batch runs start to end in
        // microtasks. Starting it after the I/O phase lets every request that
        // arrived in the same turn join it.
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Runs work inside a savepoint of the current transaction: a failure undoes
   * only this work. Plain SAVEPOINT statements (the same in SQLite and
   * PostgreSQL) rather than a nested em.transactional, which would allocate an
   * EntityManager fork and a knex transaction for every write. The single
   * connection runs one transaction at a time, so a depth counter names them.
   */
  private async inSavepoint<T>(work: () => Promise<T>): Promise<T> {
    const connection = await transactionConnection(this.em);
    const name = `write_${++this.depth}`;
    prepared(connection, `savepoint ${name}`).run();
    try {
      const value = await work();
      prepared(connection, `release ${name}`).run();
      return value;
    } catch (error) {
      prepared(connection, `rollback to ${name}`).run();
      prepared(connection, `release ${name}`).run();
      throw error;
    } finally {
      this.depth--;
    }
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
        try {
          await this.em.transactional(async () => {
            for (const item of batch) {
              try {
                outcomes.push({ ok: true, value: await this.inSavepoint(item.work) });
              } catch (error) {
                outcomes.push({ ok: false, error });
              }
            }
          });
        } catch (error) {
          batch.forEach((item) => item.reject(error)); // the COMMIT failed: nothing of this batch is stored
          continue;
        }
        batch.forEach((item, i) => {
          const outcome = outcomes[i];
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        });
        // Let the answers go out and new requests come in before the next batch.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.flushing = false;
    }
  }
}
