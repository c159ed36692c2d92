import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** Random bytes drawn 4 KiB at a time: one call to the system's generator per 256 ids, not one per id. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** 16 characters of Crockford base32: 80 random bits. Public ids reveal nothing about other rows. */
export function randomId(): string {
  if (used + 16 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let id = '';
  for (let i = 0; i < 16; i++) id += ALPHABET[pool[used + i] & 31];
  used += 16;
  return id;
}
