import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** 16 characters of Crockford base32: 80 random bits. Public ids reveal nothing about other rows. */
export function randomId(): string {
  const bytes = randomBytes(16);
  let id = '';
  for (let i = 0; i < 16; i++) id += ALPHABET[bytes[i] & 31];
  return id;
}
