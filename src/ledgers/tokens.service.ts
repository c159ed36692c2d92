import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/knex';
import { sql } from '../database/sql';
import { Ledger } from './ledger.entity';
import { toLedger } from './ledgers.service';
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
  return createHash('sha256').update(token).digest('hex');
}

@Injectable()
export class TokensService {
  constructor(
    private readonly em: EntityManager,
    private readonly cache: TokenCache,
  ) {}

  /** Issues a new token for the ledger; the caller shows it once. */
  async issue(ledger: Ledger): Promise<string> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await sql(this.em)('api_token').insert({
      ledger_id: ledger.id,
      token_hash: hashToken(token),
      created_at: new Date().toISOString(),
    });
    return token;
  }

  /** The ledger a token opens, or undefined for anything else. */
  async resolve(token: string): Promise<Ledger | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const row = await sql(this.em)('api_token')
      .join('ledger', 'ledger.id', 'api_token.ledger_id')
      .where('api_token.token_hash', hash)
      .first('ledger.id', 'ledger.name', 'ledger.currency', 'ledger.timezone', 'ledger.created_at');
    if (!row) return undefined;
    const ledger = toLedger(row);
    this.cache.set(hash, ledger);
    return ledger;
  }
}
