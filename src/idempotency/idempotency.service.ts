import { hash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Database } from '../database/database';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { RawSql } from '../database/raw-sql';
import { IdempotencyRepository } from './idempotency.repository';

export interface StoredResponse {
  fingerprint: string;
  statusCode: number;
  body: unknown;
}

/** 1-255 printable ASCII characters (docs/API.md §4.2). */
export const IDEMPOTENCY_KEY_SHAPE = /^[\x20-\x7e]{1,255}$/;
const PURGE_EVERY_MS = 60 * 60 * 1000;

/** The request's identity: a reused key must come with the same method, path and body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return hash('sha256', JSON.stringify([method, path, canonical(body)]), 'base64url');
}

/** JSON with object keys sorted, so {"a":1,"b":2} and {"b":2,"a":1} are the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * Stored answers for Idempotency-Key (docs/API.md §4.2) and one-time keys
 * (the chat's Record again button). Each call runs on the handle it is given:
 * the request's transaction when the answer must commit with the work.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly database: Database,
    private readonly repository: IdempotencyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The live stored response for this key, if any; an expired one is removed here. */
  async find(db: RawSql, ledgerId: number, key: string): Promise<StoredResponse | undefined> {
    const row = await this.repository.find(db, ledgerId, key);
    if (!row) return undefined;
    if (Number(row.expires_at) <= Date.now()) {
      await this.repository.delete(db, ledgerId, key);
      return undefined;
    }
    return {
      fingerprint: row.fingerprint,
      statusCode: row.status_code,
      body: row.body === null ? undefined : JSON.parse(row.body),
    };
  }

  /** Stores the response in `tx`; a concurrent writer of the same key makes this throw a unique violation. */
  async save(tx: RawSql, ledgerId: number, key: string, response: StoredResponse): Promise<void> {
    await this.repository.insert(tx, ledgerId, key, {
      fingerprint: response.fingerprint,
      status_code: response.statusCode,
      body: response.body === undefined ? null : JSON.stringify(response.body),
      expires_at: Date.now() + this.config.idempotencyTtlHours * 3600_000,
    });
  }

  /**
   * Takes a one-time key with no response to replay (the bot's "Record again"
   * button): true the first time, false ever after, decided by the primary key.
   */
  claimKey(tx: RawSql, ledgerId: number, key: string, ttlMs: number): Promise<boolean> {
    return this.repository.insertIfFree(tx, ledgerId, key, {
      fingerprint: 'claim',
      status_code: 200,
      body: null,
      expires_at: Date.now() + ttlMs,
    });
  }

  purgeExpired(): Promise<number> {
    return this.database.read((db) => this.repository.purgeExpired(db, Date.now()));
  }

  async onModuleInit(): Promise<void> {
    await this.purgeSafely();
    this.purgeTimer = setInterval(() => void this.purgeSafely(), PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  private async purgeSafely(): Promise<void> {
    try {
      const purged = await this.purgeExpired();
      if (purged) this.logger.log(`purged ${purged} expired idempotency keys`);
    } catch (error) {
      this.logger.warn(`purging expired idempotency keys failed: ${(error as Error).message}`);
    }
  }
}
