import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/better-sqlite';

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

  constructor(private readonly em: EntityManager) {}

  run<T>(work: () => Promise<T>): Promise<T> {
    // Already inside a transaction (an Idempotency-Key request): join it with a savepoint.
    if (this.em.isInTransaction()) return this.em.transactional(work);
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

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
        try {
          await this.em.transactional(async () => {
            for (const item of batch) {
              try {
                outcomes.push({ ok: true, value: await this.em.transactional(item.work) });
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
