/**
 * Counts failed sign-ins per client address in a fixed window. Past the limit
 * a wrong token is answered 429 with Retry-After instead of 401, so a
 * guessing loop is told to back off and shows up as such; valid tokens are
 * never refused, and other addresses are not affected. (Guessing a 256-bit
 * token is hopeless anyway; this keeps the noise down.)
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxFailures = 30,
    private readonly windowMs = 60_000,
    private readonly maxClients = 10_000,
  ) {}

  isBlocked(client: string, now = Date.now()): boolean {
    const entry = this.failures.get(client);
    if (!entry || now - entry.windowStart >= this.windowMs) return false;
    return entry.count >= this.maxFailures;
  }

  /** Seconds until the client's window ends, for Retry-After. */
  retryAfter(client: string, now = Date.now()): number {
    const entry = this.failures.get(client);
    return entry ? Math.max(1, Math.ceil((entry.windowStart + this.windowMs - now) / 1000)) : 1;
  }

  recordFailure(client: string, now = Date.now()): void {
    const entry = this.failures.get(client);
    if (entry && now - entry.windowStart < this.windowMs) {
      entry.count++;
      return;
    }
    if (this.failures.size >= this.maxClients) this.evictExpired(now);
    this.failures.set(client, { count: 1, windowStart: now });
  }

  private evictExpired(now: number): void {
    for (const [client, entry] of this.failures) {
      if (now - entry.windowStart >= this.windowMs) this.failures.delete(client);
    }
    // Still full of live windows: forget the oldest rather than grow without bound.
    if (this.failures.size >= this.maxClients) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
  }
}
