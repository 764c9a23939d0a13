import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/**
 * An unguessable id with a readable prefix: `job_k3m9...`.
 * 16 characters of a 32-letter alphabet carry 80 random bits.
 */
export function newId(prefix: string, length = 16): string {
  const bytes = randomBytes(length);
  let id = `${prefix}_`;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}
