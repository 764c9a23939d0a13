import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Random bytes drawn 4 KiB at a time: a lease id per task must not cost a call into the CSPRNG each. */
const pool = Buffer.alloc(4096);
let used = pool.length;

/**
 * An unguessable id with a readable prefix: `job_k3m9...`.
 * 16 characters of a 32-letter alphabet carry 80 random bits.
 */
export function newId(prefix: string, length = 16): string {
  if (used + length > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  let id = `${prefix}_`;
  for (let end = used + length; used < end; used++) id += ALPHABET[pool[used]! % ALPHABET.length];
  return id;
}
