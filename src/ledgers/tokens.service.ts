import { hash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { InvalidInputError, NotFoundError } from '../common/domain-errors';
import { Ledger } from './ledger.entity';
import { toLedger } from './ledgers.service';
import { LedgersRepository } from './ledgers.repository';
import { TokenCache } from './token-cache';

/** "tally_" and 32 random bytes in base64url: 256 bits, easy to spot in a leaked log. */
const TOKEN_PREFIX = 'tally_';
const TOKEN_SHAPE = /^tally_[A-Za-z0-9_-]{43}$/;

/**
 * Tokens are stored as SHA-256 hashes and found by an index lookup on the
 * hash, so no comparison ever runs over the secret itself: the time taken
 * depends only on the hash, which an attacker cannot steer byte by byte.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** How a token is shown by `npm run token -- list` and the bot's /tokens: never the token itself. */
export interface TokenInfo {
  id: number;
  ledger: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

export interface IssueOptions {
  label?: string;
  expiresDays?: number;
}

export const LABEL_MAX = 100;
export const EXPIRES_DAYS_MAX = 3650;
/** last_used_at is written at most this often per token, so lookups stay reads. */
const LAST_USED_EVERY_MS = 60_000;

@Injectable()
export class TokensService {
  constructor(
    private readonly database: Database,
    private readonly cache: TokenCache,
    private readonly repository: LedgersRepository,
  ) {}

  /** Issues a new token for the ledger; the caller shows it once. */
  async issue(ledger: Ledger, options: IssueOptions = {}): Promise<string> {
    const label = options.label?.trim();
    if (label !== undefined && (label.length === 0 || label.length > LABEL_MAX || /[\u0000-\u001f]/.test(label))) {
      throw new InvalidInputError(`label must be 1-${LABEL_MAX} characters on one line`);
    }
    const days = options.expiresDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > EXPIRES_DAYS_MAX)) {
      throw new InvalidInputError(`expires-days must be a whole number from 1 to ${EXPIRES_DAYS_MAX}`);
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = Date.now();
    await this.database.read((db) =>
      this.repository.insertToken(db, {
        ledgerId: ledger.id,
        hash: hashToken(token),
        createdAt: new Date(now).toISOString(),
        label: label ?? null,
        expiresAt: days === undefined ? null : new Date(now + days * 86_400_000).toISOString(),
      }),
    );
    return token;
  }

  /** The live tokens (not revoked), of one ledger or of all, oldest first. */
  async list(ledgerId?: number): Promise<TokenInfo[]> {
    return this.live({ ledgerId });
  }

  /**
   * Revokes a token (of `ledgerId` only, when given). This process forgets it
   * at once; every other instance within TokenCache.TTL_MS.
   */
  async revoke(id: number, ledgerId?: number): Promise<TokenInfo> {
    const [token] = await this.live({ ledgerId, id });
    if (!token)
      throw new NotFoundError(
        `no token ${id}${ledgerId === undefined ? '' : ' for this ledger'} (list them to see their ids)`,
      );
    await this.database.read((db) => this.repository.revokeToken(db, id, new Date().toISOString()));
    this.cache.clear();
    return token;
  }

  /** Live tokens as list and revoke show them, narrowed to a ledger and to one id when given. */
  private async live(where: { ledgerId?: number; id?: number }): Promise<TokenInfo[]> {
    const rows = await this.database.read((db) => this.repository.liveTokens(db, where));
    return rows.map((row) => ({
      id: Number(row.id),
      ledger: row.name,
      label: row.label,
      createdAt: row.created_at,
      lastUsedAt: row.last_used_at,
      expiresAt: row.expires_at,
    }));
  }

  /** The ledger a token opens, or undefined for anything else. */
  async resolve(token: string): Promise<Ledger | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const now = Date.now();
    const row = await this.database.read((db) => this.repository.ledgerOfToken(db, hash));
    if (!row) return undefined;
    const expiresAt = row.expires_at ? Date.parse(row.expires_at) : undefined;
    if (expiresAt !== undefined && expiresAt <= now) return undefined;
    if (!row.last_used_at || Date.parse(row.last_used_at) < now - LAST_USED_EVERY_MS) {
      // Best effort and off the request's path: a busy database only delays the record.
      void this.database
        .read((db) => this.repository.touchToken(db, row.token_id, new Date(now).toISOString()))
        .catch(() => undefined);
    }
    const ledger = toLedger(row);
    this.cache.set(hash, ledger, now, expiresAt);
    return ledger;
  }
}
