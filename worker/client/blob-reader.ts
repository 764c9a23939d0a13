import { backoffDelay, sha256Hex } from '../../shared/index.js';
import { BlobFetchError, BlobIntegrityError } from '../errors.js';
import { blobUrl } from './endpoints.js';
import type { BlobCache } from '../store/store.js';
import { systemTimers, type Timers } from '../timers.js';

/** Answers a blob's bytes by SHA-256, verified against it. */
export type BlobReader = (sha256: string) => Promise<Uint8Array>;

/** Where and how {@link createBlobReader} downloads blobs. */
export interface BlobReaderOptions {
  /** The coordinator's origin, e.g. `http://127.0.0.1:8080` (`location.origin` on the join page). */
  origin: string;
  /** The join token. */
  token: string;
  /** Where verified blobs are kept between uses (IndexedDB in a tab, memory under Node); without it, nothing is kept. */
  cache?: BlobCache;
  /**
   * Tries per blob; network errors and 5xx answers are tried again, 4xx answers are not.
   * @default 3
   */
  attempts?: number;
  /**
   * Wait before the second try, doubling after that (`backoffDelay`, with equal jitter).
   * @default 250
   */
  retryDelayMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default systemTimers */
  timers?: Timers;
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
  const bytes = await downloadWithRetries(sha256, options);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new BlobIntegrityError(`blob ${sha256} arrived with SHA-256 ${actual}`);
  }
  return bytes;
}

async function downloadWithRetries(sha256: string, options: BlobReaderOptions): Promise<Uint8Array> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const timers = options.timers ?? systemTimers;
  const backoff = { initialMs: options.retryDelayMs ?? 250, factor: 2, maxMs: 10_000 };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await download(sha256, options);
    } catch (error) {
      if (attempt >= attempts || !isWorthRetrying(error)) throw error;
    }
    const delay = backoffDelay(backoff, attempt);
    await new Promise<void>((resolve) => timers.setTimeout(resolve, delay));
  }
}

class BlobStatusError extends BlobFetchError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function download(sha256: string, options: BlobReaderOptions): Promise<Uint8Array> {
  const url = blobUrl(options.origin, sha256, options.token);
  const fetchBlob = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchBlob(url);
  } catch (cause) {
    throw new BlobFetchError(`could not download blob ${sha256}: ${String(cause)}`, { cause });
  }
  if (!response.ok) {
    throw new BlobStatusError(`could not download blob ${sha256}: HTTP ${response.status}`, response.status);
  }
  return new Uint8Array(await response.arrayBuffer());
}

function isWorthRetrying(error: unknown): boolean {
  if (error instanceof BlobStatusError) return error.status >= 500;
  return error instanceof BlobFetchError;
}
