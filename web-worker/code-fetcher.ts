import { sha256Hex } from '../shared/index.js';
import { BlobFetchError, BlobIntegrityError } from './errors.js';
import { blobUrl } from './endpoints.js';
import { systemTimers, type Timers } from './timers.js';

/** Answers the source text of task code by its SHA-256. */
export type CodeFetcher = (sha256: string) => Promise<string>;

/** Where and how {@link createCodeFetcher} downloads task code. */
export interface CodeFetcherOptions {
  /** The coordinator's origin, e.g. `http://127.0.0.1:8080` (`location.origin` on the join page). */
  origin: string;
  /** The join token. */
  token: string;
  /**
   * Tries per blob; network errors and 5xx answers are tried again, 4xx answers are not.
   * @default 3
   */
  attempts?: number;
  /**
   * Wait before the second try, doubling after that.
   * @default 250
   */
  retryDelayMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default systemTimers */
  timers?: Timers;
}

/**
 * A {@link CodeFetcher} that downloads from `GET /api/v1/worker/blobs/:sha256`, checks the bytes
 * against the hash, and keeps each source in memory so nothing is downloaded twice.
 * @example
 * const fetchCode = createCodeFetcher({ origin: location.origin, token });
 * const source = await fetchCode(lease.code);
 */
export function createCodeFetcher(options: CodeFetcherOptions): CodeFetcher {
  const cache = new Map<string, Promise<string>>();
  return (sha256) => {
    let source = cache.get(sha256);
    if (!source) {
      source = downloadVerified(sha256, options);
      cache.set(sha256, source);
      // A failed download is not cached: the next lease with this code tries again.
      source.catch(() => cache.delete(sha256));
    }
    return source;
  };
}

async function downloadVerified(sha256: string, options: CodeFetcherOptions): Promise<string> {
  const bytes = await downloadWithRetries(sha256, options);
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new BlobIntegrityError(`task code ${sha256} arrived with SHA-256 ${actual}`);
  }
  return new TextDecoder().decode(bytes);
}

async function downloadWithRetries(sha256: string, options: CodeFetcherOptions): Promise<Uint8Array> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const timers = options.timers ?? systemTimers;
  let delay = options.retryDelayMs ?? 250;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await download(sha256, options);
    } catch (error) {
      if (attempt >= attempts || !isWorthRetrying(error)) throw error;
    }
    await new Promise<void>((resolve) => timers.setTimeout(resolve, delay));
    delay *= 2;
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

async function download(sha256: string, options: CodeFetcherOptions): Promise<Uint8Array> {
  const url = blobUrl(options.origin, sha256, options.token);
  const fetchBlob = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetchBlob(url);
  } catch (cause) {
    throw new BlobFetchError(`could not download task code ${sha256}: ${String(cause)}`, { cause });
  }
  if (!response.ok) {
    throw new BlobStatusError(`could not download task code ${sha256}: HTTP ${response.status}`, response.status);
  }
  return new Uint8Array(await response.arrayBuffer());
}

function isWorthRetrying(error: unknown): boolean {
  if (error instanceof BlobStatusError) return error.status >= 500;
  return error instanceof BlobFetchError;
}
