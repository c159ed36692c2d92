import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import type { FastifyReply } from 'fastify';
import { from, lastValueFrom, Observable } from 'rxjs';
import {
  IdempotencyInFlightError,
  IdempotencyMismatchError,
  InvalidInputError,
} from '../common/domain-errors';
import { isRaceLost, isUniqueViolation } from '../database/database-errors';
import { transaction } from '../database/raw-sql';
import { tryIdempotencyLock } from '../database/locks';
import type { AuthenticatedRequest } from '../ledgers/bearer.guard';
import { IDEMPOTENCY_KEY_SHAPE, IdempotencyService, requestFingerprint, StoredResponse } from './idempotency.service';
import { duplicatesAnswered } from '../metrics/metrics';

/** Tries before giving up when other instances keep winning races for the same key. */
const MAX_ATTEMPTS = 10;

/**
 * Idempotency-Key for POST, PATCH and DELETE (CONTRACT §4.2, §7). The handler's writes
 * and the stored response commit in one transaction, so a crash leaves
 * neither and a retry simply runs again; errors roll both back, so failed
 * requests are never replayed. The primary key (ledger, key) settles races
 * between processes; the in-flight set answers 409 within this one, and on
 * PostgreSQL a transaction-long advisory lock on the key answers 409 to every
 * other instance while the first request runs.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly em: EntityManager,
    private readonly store: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    if (typeof header !== 'string' || !IDEMPOTENCY_KEY_SHAPE.test(header)) {
      throw new InvalidInputError('Idempotency-Key must be 1-255 printable ASCII characters');
    }
    const ledgerId = request.ledger.id;
    const slot = `${ledgerId}\n${header}`;
    if (this.inFlight.has(slot)) throw inFlight();
    this.inFlight.add(slot);
    const fingerprint = requestFingerprint(request.method, request.url.split('?')[0], request.body ?? null);
    const run = async () => {
      try {
        for (let attempt = 1; ; attempt++) {
          // A repeat of a finished request is answered from one read, no transaction.
          const stored = await this.store.find(ledgerId, header);
          if (stored) return this.replay(stored, fingerprint, reply);
          try {
            return await this.once(ledgerId, header, fingerprint, reply, next);
          } catch (error) {
            // Another process stored this key between our read and our write: read again, replay its answer.
            // A deadlock PostgreSQL broke by undoing our transaction: nothing was kept, run it again.
            if (attempt >= MAX_ATTEMPTS || (!isUniqueViolation(error) && !isRaceLost(error))) throw error;
          }
        }
      } finally {
        this.inFlight.delete(slot);
      }
    };
    return from(run());
  }

  private replay(stored: StoredResponse, fingerprint: string, reply: FastifyReply): unknown {
    if (stored.fingerprint !== fingerprint) {
      throw new IdempotencyMismatchError('Idempotency-Key was already used with a different request');
    }
    reply.status(stored.statusCode).header('Idempotent-Replayed', 'true');
    duplicatesAnswered.inc({ layer: 'idempotency_replay' });
    return stored.body;
  }

  /** Runs the handler and stores its answer in one transaction; the primary key refuses a second writer. */
  private once(ledgerId: number, key: string, fingerprint: string, reply: FastifyReply, next: CallHandler): Promise<unknown> {
    return transaction(this.em, async () => {
      if (!(await tryIdempotencyLock(this.em, ledgerId, key))) throw inFlight();
      // The holder may have committed between our first read and the lock: its answer wins.
      const stored = await this.store.find(ledgerId, key);
      if (stored) return this.replay(stored, fingerprint, reply);
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.store.save(ledgerId, key, { fingerprint, statusCode: reply.statusCode, body });
      return body;
    });
  }
}

function inFlight(): IdempotencyInFlightError {
  return new IdempotencyInFlightError('Idempotency-Key: a request with this key is still being processed; retry later');
}
