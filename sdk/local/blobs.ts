import type { RestClient } from '../rest.js';
import { isHTTPError } from '../errors.js';

/** Answers a blob's bytes by SHA-256, or undefined when there is no such blob. */
export type BlobFetcher = (sha256: string) => Promise<Uint8Array | undefined>;

/**
 * A {@link BlobFetcher} that reads blobs stored on a coordinator (`GET /api/v1/blobs/:sha256`).
 * @example runLocally(spec, { fetchBlob: storedBlobFetcher(rest) })
 */
export function storedBlobFetcher(rest: RestClient): BlobFetcher {
  return async (sha256) => {
    try {
      const response = await rest.send(`/api/v1/blobs/${encodeURIComponent(sha256)}`);
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      if (isHTTPError(error) && error.code === 'not_found') return undefined;
      throw error;
    }
  };
}

/** Reads each blob once: from `blobs`, else through `fetchBlob`. */
export function cachedBlobReader(blobs: ReadonlyMap<string, Uint8Array> | undefined, fetchBlob: BlobFetcher | undefined): BlobFetcher {
  const cache = new Map<string, Promise<Uint8Array | undefined>>();
  return (sha256) => {
    let bytes = cache.get(sha256);
    if (!bytes) {
      bytes = Promise.resolve(blobs?.get(sha256) ?? fetchBlob?.(sha256));
      cache.set(sha256, bytes);
      bytes.catch(() => cache.delete(sha256));
    }
    return bytes;
  };
}
