import { Injectable } from '@nestjs/common';
import type { Ledger } from './ledger.entity';

/**
 * Remembers which ledger a token hash opens for a few seconds, so a burst of
 * requests does not look the same token up once each. Only successful lookups
 * are kept, never past the token's expiry; a change made in this process
 * drops entries at once, and one made by another process (a revocation on
 * another instance, the token CLI) shows within TTL_MS — under the 5 s the
 * contract allows for a revoked token.
 */
@Injectable()
export class TokenCache {
  static readonly TTL_MS = 4_000;
  private readonly entries = new Map<string, { ledger: Ledger; until: number }>();

  private readonly maxEntries = 10_000;

  get(tokenHash: string, now = Date.now()): Ledger | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.ledger;
  }

  set(tokenHash: string, ledger: Ledger, now = Date.now(), expiresAt = Infinity): void {
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(tokenHash, { ledger, until: Math.min(now + TokenCache.TTL_MS, expiresAt) });
  }

  clear(): void {
    this.entries.clear();
  }

  forgetLedger(ledgerId: number): void {
    for (const [hash, entry] of this.entries) if (entry.ledger.id === ledgerId) this.entries.delete(hash);
  }
}
