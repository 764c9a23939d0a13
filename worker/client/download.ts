import { backoffDelay } from '../../shared/index.js';
import { BlobFetchError } from '../errors.js';
import { systemTimers, type Timers } from '../timers.js';

/** The longest wait between two tries, whatever `Retry-After` asks. */
const LONGEST_WAIT_MS = 5_000;

/** How a worker's downloads from the coordinator ride out an outage (a restart, a failover). */
export interface DownloadRetry {
  /**
   * How long network errors and 5xx answers are tried again, from the first failure: a failover
   * (the balancer or a standby answering 503 until a coordinator takes over) lasts seconds.
   * @default 30_000
   */
  retryForMs?: number;
  /**
   * Wait before the second try, doubling up to 5 s (`backoffDelay`, with equal jitter); an answer's
   * `Retry-After` (up to 5 s) is waited instead where it has one.
   * @default 250
   */
  retryDelayMs?: number;
  /** @default systemTimers */
  timers?: Timers;
}

/** An answer with an error status. */
export class DownloadStatusError extends BlobFetchError {
  constructor(
    message: string,
    readonly status: number,
    /** What its `Retry-After` asked, in ms (at most 5 s). */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/**
 * `fetchOnce()` until it answers a success, through network errors and 5xx answers for
 * `retryForMs`; a 4xx answer fails at once.
 * @throws {BlobFetchError} (a {@link DownloadStatusError} for an error status) saying `what` could not be downloaded
 * @example const response = await fetchRetrying(() => fetch(url), `blob ${sha}`);
 */
export async function fetchRetrying(fetchOnce: () => Promise<Response>, what: string, retry: DownloadRetry = {}): Promise<Response> {
  const timers = retry.timers ?? systemTimers;
  const retryForMs = retry.retryForMs ?? 30_000;
  const backoff = { initialMs: retry.retryDelayMs ?? 250, factor: 2, maxMs: LONGEST_WAIT_MS };
  let firstFailureAt: number | undefined;
  for (let failures = 1; ; failures += 1) {
    const { response, failure } = await tryOnce(fetchOnce, what, timers.now());
    if (response) return response;
    if (failure instanceof DownloadStatusError && failure.status < 500) throw failure;
    firstFailureAt ??= timers.now();
    const wait = (failure instanceof DownloadStatusError ? failure.retryAfterMs : undefined) ?? backoffDelay(backoff, failures);
    if (timers.now() + wait - firstFailureAt > retryForMs) throw failure;
    await new Promise<void>((resolve) => timers.setTimeout(resolve, wait));
  }
}

/** One try: the response, or why there is none. (Not told apart by `instanceof Response`: a fetch from another realm answers another `Response`.) */
async function tryOnce(fetchOnce: () => Promise<Response>, what: string, now: number): Promise<{ response: Response; failure?: never } | { response?: never; failure: BlobFetchError }> {
  let response: Response;
  try {
    response = await fetchOnce();
  } catch (cause) {
    return { failure: new BlobFetchError(`could not download ${what}: ${String(cause)}`, { cause }) };
  }
  if (response.ok) return { response };
  // The body is not read: let it go.
  void response.body?.cancel().catch(() => undefined);
  return { failure: new DownloadStatusError(`could not download ${what}: HTTP ${response.status}`, response.status, retryAfterMs(response.headers.get('retry-after'), now)) };
}

/**
 * A `Retry-After` header's wait in ms (delay-seconds or an HTTP date), at most 5 s; undefined
 * when there is none or it cannot be read.
 * @example retryAfterMs('1', Date.now()) // 1000
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  // An HTTP date names its day and month; `Date.parse` would also read "-1" as a year.
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /^[A-Za-z]{3}, /.test(text) ? Date.parse(text) - now : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.min(LONGEST_WAIT_MS, Math.max(0, ms));
}
