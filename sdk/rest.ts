import type { z } from 'zod';
import { backoffDelay, readErrorBody } from '../shared/index.js';
import { HTTPError, NetworkError, ResponseError, isHTTPError, isNetworkError } from './errors.js';

/**
 * The `fetch` the client calls: the global one by default, or any function with its shape,
 * e.g. `(input, init) => app.request(input, init)` to talk to an in-process Hono app.
 */
export type FetchFunction = (input: string, init: RequestInit) => Response | Promise<Response>;

/** One call to the REST API. */
export interface RestRequest {
  method?: 'GET' | 'POST' | 'PUT';
  /** Serialized as JSON. */
  json?: unknown;
  /** Sent as is, with `Content-Type: application/octet-stream`. */
  bytes?: Uint8Array<ArrayBuffer>;
  /** The `Accept` header, e.g. `text/event-stream`. */
  accept?: string;
  signal?: AbortSignal | undefined;
}

/**
 * Sends authenticated requests to `/api/v1/...` and turns failures into SDK errors. Given several
 * coordinators (one active, the others standing by on one database), it asks the one that last
 * answered and moves on to the next when that one is a standby (503 `standby`) or cannot be
 * reached; a request that may have reached a coordinator (`POST` after the connection was made)
 * is not sent twice.
 */
export class RestClient {
  readonly #baseUrls: string[];
  /** The coordinator asked first: the one that answered last. */
  #current = 0;
  readonly #token: string;
  readonly #fetch: FetchFunction;

  constructor(baseUrls: string | readonly string[], token: string, fetchFunction: FetchFunction) {
    this.#baseUrls = (typeof baseUrls === 'string' ? [baseUrls] : [...baseUrls]).map((url) => url.replace(/\/+$/, ''));
    this.#token = token;
    this.#fetch = fetchFunction;
  }

  get #baseUrl(): string {
    return this.#baseUrls[this.#current]!;
  }

  /** Resolves the response of a 2xx answer; throws `HTTPError` for any other status, `NetworkError` when there is none. */
  async send(path: string, request: RestRequest = {}): Promise<Response> {
    const method = request.method ?? 'GET';
    // When none answers, a standby's answer says more than an unreachable one's silence: a
    // coordinator is there, and one is about to take over (callers that wait, wait).
    let standby: HTTPError | undefined;
    for (let tried = 1; ; tried++) {
      const url = this.#baseUrl + path;
      const init = this.#requestInit(method, request);
      let response: Response;
      try {
        response = await this.#fetch(url, init);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        const failure = new NetworkError(`cannot reach ${url}: ${describeCause(error)}`, url, error);
        if (tried < this.#baseUrls.length && (method !== 'POST' || neverConnected(error))) {
          this.#next();
          continue;
        }
        throw standby ?? failure;
      }
      if (response.ok) return response;
      const failure = await httpErrorOf(response, method, url);
      if (failure.code === 'standby' && tried < this.#baseUrls.length) {
        standby = failure;
        this.#next();
        continue;
      }
      throw failure;
    }
  }

  #next(): void {
    this.#current = (this.#current + 1) % this.#baseUrls.length;
  }

  /** Sends a request and validates its JSON answer with `schema`. */
  async json<T extends z.ZodType>(schema: T, path: string, request: RestRequest = {}): Promise<z.output<T>> {
    const response = await this.send(path, request);
    const url = this.#baseUrl + path;
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new ResponseError(`the answer from ${url} is not JSON`, url, error);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ResponseError(`unexpected answer from ${url}: ${parsed.error.issues[0]?.message ?? 'invalid'}`, url, parsed.error);
    }
    return parsed.data;
  }

  /** The absolute URL of an API path, for error messages. */
  urlOf(path: string): string {
    return this.#baseUrl + path;
  }

  #requestInit(method: string, request: RestRequest): RequestInit {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}` };
    if (request.accept !== undefined) headers['accept'] = request.accept;
    const init: RequestInit = { method, headers };
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(request.json);
    } else if (request.bytes !== undefined) {
      headers['content-type'] = 'application/octet-stream';
      init.body = request.bytes;
    }
    if (request.signal) init.signal = request.signal;
    return init;
  }
}

async function httpErrorOf(response: Response, method: string, url: string): Promise<HTTPError> {
  const text = await response.text().catch(() => '');
  const json = parseJsonOrUndefined(text);
  const received = readErrorBody(json);
  return new HTTPError({
    status: response.status,
    code: received?.code,
    rawCode: received?.rawCode,
    message: received?.message ?? `${method} ${url} failed with ${response.status} ${response.statusText}`.trim(),
    details: received?.details,
    response,
    method,
    body: json,
  });
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The request never left: nothing listens there (or no such host), so sending it elsewhere cannot make it twice. */
function neverConnected(error: unknown): boolean {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED...) is in its cause.
  const cause: unknown = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

/** True for what a restarting coordinator causes: no answer at all, or a 5xx. */
export function isTransientFailure(error: unknown): boolean {
  return isNetworkError(error) || (isHTTPError(error) && error.status >= 500);
}

const LONGEST_RETRY_DELAY_MS = 5_000;
/** Answers that come from a coordinator's place before any coordinator answered: see {@link OutageBudget}. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/**
 * How long to keep trying while the coordinator is away. A call that polls or follows a stream
 * asks `retryDelay(error)` after each failure: it answers how long to back off (`backoffDelay`:
 * doubling from `firstDelayMs` up to 5 s, with equal jitter so that clients do not all come
 * back at once), or rethrows `error` when it is no outage (any error but a transient one, or one
 * before the coordinator ever answered, so a wrong URL fails at once; a 502, 503 or 504 is an answer) or
 * the outage has lasted
 * longer than `maxOutageMs`.
 */
export class OutageBudget {
  readonly #maxOutageMs: number;
  readonly #firstDelayMs: number;
  #answered = false;
  #since: number | undefined;
  #failures = 0;

  constructor(maxOutageMs: number, firstDelayMs: number) {
    this.#maxOutageMs = maxOutageMs;
    this.#firstDelayMs = firstDelayMs;
  }

  /** The coordinator answered: any outage is over. */
  answered(): void {
    this.#answered = true;
    this.#since = undefined;
    this.#failures = 0;
  }

  /** The back-off before the next try, or `error` rethrown. */
  retryDelay(error: unknown): number {
    // 502, 503 and 504 are answers from the right place: a standby (one is about to take over), or
    // a load balancer with no coordinator ready yet or one that lost it (a wrong URL is refused,
    // or answers 404).
    const reached = this.#answered || (isHTTPError(error) && GATEWAY_STATUSES.has(error.status));
    if (!reached || !isTransientFailure(error)) throw error;
    const now = Date.now();
    this.#since ??= now;
    if (now - this.#since >= this.#maxOutageMs) throw error;
    this.#failures += 1;
    const delay = backoffDelay({ initialMs: this.#firstDelayMs, factor: 2, maxMs: LONGEST_RETRY_DELAY_MS }, this.#failures);
    return Math.min(delay, Math.max(1, this.#maxOutageMs - (now - this.#since)));
  }
}
