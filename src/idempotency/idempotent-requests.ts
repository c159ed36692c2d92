import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import type { FastifyReply } from 'fastify';
import { IdempotencyInFlightError, IdempotencyMismatchError, InvalidInputError } from '../common/domain-errors';
import { isRaceLost, isUniqueViolation } from '../database/database-errors';
import { WriteBatcher } from '../database/write-batcher';
import { tryIdempotencyLock } from '../database/locks';
import type { AuthenticatedRequest } from '../ledgers/bearer.guard';
import { IDEMPOTENCY_KEY_SHAPE, IdempotencyService, requestFingerprint, StoredResponse } from './idempotency.service';
import { duplicatesAnswered } from '../metrics/metrics';

/** Tries before giving up when other instances keep winning races for the same key. */
const MAX_ATTEMPTS = 10;

/**
 * Idempotency-Key for POST, PATCH and DELETE (docs/API.md §4.2, §7): the
 * handlers of those routes hand their work to run(). The work's writes and
 * the stored response commit in one transaction, so a crash leaves neither
 * and a retry simply runs again; errors roll both back, so failed requests
 * are never replayed. The primary key (ledger, key) settles races between
 * processes; the in-flight set answers 409 within this one, and on PostgreSQL
 * a transaction-long advisory lock on the key answers 409 to every other
 * instance while the first request runs.
 *
 * A plain call from the handler rather than a Nest interceptor: an
 * interceptor's machinery (two AsyncResource bindings and an rxjs pipeline
 * per request) cost a fifth of every create's CPU, with or without a key.
 */
@Injectable()
export class IdempotentRequests {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly database: Database,
    private readonly store: IdempotencyService,
    private readonly batcher: WriteBatcher,
  ) {}

  /**
   * Runs `work` (which sets the reply's status) once per Idempotency-Key: a
   * repeat gets the first answer back, status and body, marked
   * Idempotent-Replayed. Without the header, `work` simply runs.
   */
  async run<T>(request: AuthenticatedRequest, reply: FastifyReply, work: () => Promise<T>): Promise<T> {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return work();
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY_SHAPE.test(header)) {
      throw new InvalidInputError('Idempotency-Key must be 1-255 printable ASCII characters');
    }
    const ledgerId = request.ledger.id;
    const slot = `${ledgerId}\n${header}`;
    const fingerprint = requestFingerprint(request.method, request.url.split('?')[0], request.body ?? null);
    for (let attempt = 1; ; attempt++) {
      // A repeat of a finished request is answered from one read, no transaction. Read before the
      // in-flight check, so that simultaneous retries of a finished request are all replays, not 409s.
      const stored = await this.database.read((db) => this.store.find(db, ledgerId, header));
      if (stored) return this.replay<T>(stored, fingerprint, reply);
      if (this.inFlight.has(slot)) throw inFlight();
      this.inFlight.add(slot);
      try {
        return await this.once(ledgerId, header, fingerprint, reply, work);
      } catch (error) {
        // Another process stored this key between our read and our write: read again, replay its answer.
        // A deadlock PostgreSQL broke by undoing our transaction: nothing was kept, run it again.
        if (attempt >= MAX_ATTEMPTS || (!isUniqueViolation(error) && !isRaceLost(error))) throw error;
      } finally {
        this.inFlight.delete(slot);
      }
    }
  }

  /** The stored answer of the first request with this key (the same route's work made it). */
  private replay<T>(stored: StoredResponse, fingerprint: string, reply: FastifyReply): T {
    if (stored.fingerprint !== fingerprint) {
      throw new IdempotencyMismatchError('Idempotency-Key was already used with a different request');
    }
    reply.status(stored.statusCode).header('Idempotent-Replayed', 'true');
    duplicatesAnswered.inc({ layer: 'idempotency_replay' });
    return stored.body as T;
  }

  /** Runs the work and stores its answer in one transaction; the primary key refuses a second writer. */
  private once<T>(
    ledgerId: number,
    key: string,
    fingerprint: string,
    reply: FastifyReply,
    work: () => Promise<T>,
  ): Promise<T> {
    return this.batcher.transaction(async (tx) => {
      if (!(await tryIdempotencyLock(tx, ledgerId, key))) throw inFlight();
      // The holder may have committed between our first read and the lock: its answer wins.
      const stored = await this.store.find(tx, ledgerId, key);
      if (stored) return this.replay<T>(stored, fingerprint, reply);
      const body = await work();
      await this.store.save(tx, ledgerId, key, { fingerprint, statusCode: reply.statusCode, body });
      return body;
    });
  }
}

function inFlight(): IdempotencyInFlightError {
  return new IdempotencyInFlightError('Idempotency-Key: a request with this key is still being processed; retry later');
}
