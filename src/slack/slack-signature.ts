import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's own limit: a request signed more than five minutes from now may be a replay. */
export const MAX_SKEW_SECONDS = 5 * 60;

/**
 * Slack signs every request: `v0=` + hex HMAC-SHA256(signing secret,
 * `v0:TIMESTAMP:RAW_BODY`). True only for a signature made with our secret
 * over exactly these bytes, at most five minutes from `nowMs`; compared in
 * constant time.
 */
export function isSignedBySlack(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: Buffer,
  nowMs: number,
): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return false;
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
