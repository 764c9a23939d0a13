import { sha256Hex } from '../../shared/index.js';
import { BlobIntegrityError } from '../errors.js';
import { fetchRetrying, type DownloadRetry } from './download.js';
import { blobUrl } from './endpoints.js';
import type { BlobCache } from '../store/store.js';

/** Answers a blob's bytes by SHA-256, verified against it. */
export type BlobReader = (sha256: string) => Promise<Uint8Array>;

/** Where and how {@link createBlobReader} downloads blobs (network errors and 5xx answers tried again: see {@link DownloadRetry}; 4xx answers not). */
export interface BlobReaderOptions extends DownloadRetry {
  /** The coordinator's origin, e.g. `http://127.0.0.1:8080` (`location.origin` on the join page). */
  origin: string;
  /** The join token. */
  token: string;
  /** Where verified blobs are kept between uses (IndexedDB in a tab, memory under Node); without it, nothing is kept. */
  cache?: BlobCache;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Told when the cache fails (the blob is still answered, from the network). */
  onCacheError?: (error: unknown) => void;
}

/**
 * A {@link BlobReader} that answers from the cache, else downloads from
 * `GET /api/v1/worker/blobs/:sha256`; the bytes are checked against the hash either way, and
 * downloaded ones are cached. Reads
 * of one blob at once share one download; a failed download is not remembered.
 * @example
 * const readBlob = createBlobReader({ origin: location.origin, token, cache: store.blobs });
 * const wasm = await readBlob(sha);
 */
export function createBlobReader(options: BlobReaderOptions): BlobReader {
  const inFlight = new Map<string, Promise<Uint8Array>>();
  return (sha256) => {
    let bytes = inFlight.get(sha256);
    if (!bytes) {
      bytes = readThroughCache(sha256, options);
      inFlight.set(sha256, bytes);
      const forget = (): void => {
        inFlight.delete(sha256);
      };
      bytes.then(forget, forget);
    }
    return bytes;
  };
}

async function readThroughCache(sha256: string, options: BlobReaderOptions): Promise<Uint8Array> {
  const { cache, onCacheError } = options;
  const cached = cache ? await cache.get(sha256).catch((error: unknown) => void onCacheError?.(error)) : undefined;
  // Checked on every read, not only on download: whatever else can write the cache (another
  // program on the machine, a damaged disk) must not decide what runs. A bad copy is replaced.
  if (cached) {
    if ((await sha256Hex(cached)) === sha256) return cached;
    onCacheError?.(new BlobIntegrityError(`the cached copy of blob ${sha256} does not match its SHA-256: downloading it again`));
  }
  const bytes = await downloadVerified(sha256, options);
  await cache?.put(sha256, bytes).catch((error: unknown) => onCacheError?.(error));
  return bytes;
}

async function downloadVerified(sha256: string, options: BlobReaderOptions): Promise<Uint8Array> {
  const bytes = await download(sha256, options);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new BlobIntegrityError(`blob ${sha256} arrived with SHA-256 ${actual}`);
  }
  return bytes;
}

async function download(sha256: string, options: BlobReaderOptions): Promise<Uint8Array> {
  const url = blobUrl(options.origin, sha256, options.token);
  const fetchBlob = options.fetch ?? globalThis.fetch;
  const response = await fetchRetrying(() => fetchBlob(url), `blob ${sha256}`, options);
  return new Uint8Array(await response.arrayBuffer());
}
