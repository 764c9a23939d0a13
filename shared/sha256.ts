import { z } from 'zod';

/** A lowercase hex SHA-256 digest: the name of a blob. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256 digest)');
export type Sha256 = z.infer<typeof Sha256>;

/**
 * SHA-256 of bytes or text, as lowercase hex, using WebCrypto (Node 20+ and browsers).
 * @example await sha256Hex('hello') // '2cf24dba5fb0a30e...'
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
