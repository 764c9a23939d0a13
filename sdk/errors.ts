import type { ErrorCode, JobState, JobStatus } from '../shared/index.js';
import { hasErrorName } from '../shared/index.js';

/**
 * The base of every error the SDK throws. Catch it to handle all of them at once.
 * @example
 * try {
 *   await grid.job(id).wait();
 * } catch (error) {
 *   if (isTabgridError(error)) console.error(error.message);
 *   else throw error;
 * }
 */
export class TabgridError extends Error {
  override name: string = 'TabgridError';
}

/** One field of a rejected job spec: `{ path: 'input.chunkSize', message: 'Too small...' }`. */
export interface SpecIssue {
  path: string;
  message: string;
}

/**
 * The coordinator answered with a status outside 2xx. `code`, `message` and `details` come
 * from its problem details (RFC 9457, `application/problem+json`): `code`, `detail` and
 * `details`; `code` is one of the shared {@link ErrorCode}s, so a `switch` on it is checked by
 * the compiler. The whole problem is in `body`.
 * @example
 * try {
 *   await grid.job('nope').status();
 * } catch (error) {
 *   if (isHTTPError(error) && error.code === 'not_found') console.log('no such job');
 * }
 */
export class HTTPError extends TabgridError {
  override name = 'HTTPError' as const;
  /** HTTP status, e.g. 404. */
  readonly status: number;
  /**
   * The error code from the body, e.g. `not_found`, `unauthorized`, `conflict`, `invalid_spec`;
   * undefined when the body had none (a proxy's 502 page) or a code this SDK does not know.
   */
  readonly code: ErrorCode | undefined;
  /** The code exactly as the body had it, known or not (a newer coordinator may send new ones); undefined without one. */
  readonly rawCode: string | undefined;
  /** Extra facts from the body; for an invalid spec a list of `{ path, message }`. */
  readonly details: unknown;
  /** The response; its body has already been read. */
  readonly response: Response;
  /** `GET`, `POST`... */
  readonly method: string;
  /** The body, parsed as JSON; undefined when it was not JSON. */
  readonly body: unknown;

  constructor(init: {
    status: number;
    code: ErrorCode | undefined;
    /** @default code */
    rawCode?: string | undefined;
    message: string;
    details: unknown;
    response: Response;
    method: string;
    body?: unknown;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.rawCode = init.rawCode ?? init.code;
    this.details = init.details;
    this.response = init.response;
    this.method = init.method;
    this.body = init.body;
  }
}

/**
 * Waiting took longer than the `timeoutMs` it was given.
 * @example
 * await grid.job(id).wait({ timeoutMs: 60_000 }).catch((error: unknown) => {
 *   if (isTimeoutError(error)) console.log(`still running after ${error.timeoutMs} ms`);
 * });
 */
export class TimeoutError extends TabgridError {
  override name = 'TimeoutError' as const;
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The request never got an answer: the coordinator is down, the URL is wrong, the network failed.
 * The error from `fetch` is in `cause`.
 * @example
 * await grid.stats().catch((error: unknown) => {
 *   if (isNetworkError(error)) console.log('is the coordinator running?', error.cause);
 * });
 */
export class NetworkError extends TabgridError {
  override name = 'NetworkError' as const;
  /** The URL that could not be reached. */
  readonly url: string;

  constructor(message: string, url: string, cause: unknown) {
    super(message, { cause });
    this.url = url;
  }
}

/**
 * A job ended without completing. `message` is what the failing task threw
 * (or why the job was cancelled or rejected).
 * @example
 * try {
 *   await grid.map([1, 2], (x: number) => { if (x > 1) throw new Error('too big'); return x; });
 * } catch (error) {
 *   if (isJobFailedError(error)) console.log(error.jobId, error.state, error.message); // ... FAILED too big
 * }
 */
export class JobFailedError extends TabgridError {
  override name = 'JobFailedError' as const;
  readonly jobId: string;
  readonly state: Extract<JobState, 'FAILED' | 'CANCELLED' | 'REJECTED'>;
  /** Index of the task whose error failed the job, when the coordinator says. */
  readonly taskIndex: number | undefined;

  constructor(init: { jobId: string; state: JobFailedError['state']; message: string; taskIndex?: number | undefined }) {
    super(init.message);
    this.jobId = init.jobId;
    this.state = init.state;
    this.taskIndex = init.taskIndex;
  }
}

/**
 * The coordinator refused a job by policy: its spec is over `maxSpecBytes` (HTTP 413) or
 * `maxQueuedJobs` jobs are already waiting (HTTP 429). The job still exists, in state REJECTED,
 * with `reason` as its error, so `grid.job(error.jobId).status()` shows it too.
 * @example
 * try {
 *   await grid.submit(spec);
 * } catch (error) {
 *   if (isJobRejectedError(error) && error.status === 429) console.log('queue full, try later:', error.reason);
 * }
 */
export class JobRejectedError extends TabgridError {
  override name = 'JobRejectedError' as const;
  /** The id of the REJECTED job. */
  readonly jobId: string;
  /** Why: the limit the spec ran into. */
  readonly reason: string;
  /** 413 (spec too large) or 429 (too many queued jobs). */
  readonly status: number;
  /** The REJECTED job's status, as the coordinator answered. */
  readonly job: JobStatus;

  constructor(init: { job: JobStatus; status: number; cause?: unknown }) {
    const reason = init.job.error?.message ?? 'rejected by the coordinator';
    super(`job ${init.job.id} was rejected: ${reason}`, { cause: init.cause });
    this.jobId = init.job.id;
    this.reason = reason;
    this.status = init.status;
    this.job = init.job;
  }
}

/**
 * A job spec failed validation, before it was sent. `issues` names each bad field.
 * @example
 * await grid.submit({ name: 'x', code: '', input: { items: [] } }).catch((error: unknown) => {
 *   if (isSpecError(error)) for (const issue of error.issues) console.log(issue.path, issue.message);
 * });
 */
export class SpecError extends TabgridError {
  override name = 'SpecError' as const;
  readonly issues: SpecIssue[];

  constructor(message: string, issues: SpecIssue[]) {
    super(message);
    this.issues = issues;
  }
}

/**
 * The coordinator answered 2xx, but with a body that does not match the API's schema
 * (a different version, or not a tabgrid coordinator at all). The validation error is in `cause`.
 * @example
 * if (isResponseError(error)) console.log('unexpected answer from', error.url);
 */
export class ResponseError extends TabgridError {
  override name = 'ResponseError' as const;
  readonly url: string;

  constructor(message: string, url: string, cause?: unknown) {
    super(message, { cause });
    this.url = url;
  }
}


const SDK_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TabgridError',
  'HTTPError',
  'TimeoutError',
  'NetworkError',
  'JobFailedError',
  'JobRejectedError',
  'SpecError',
  'ResponseError',
]);

/**
 * True for any error from the SDK. Compares `name`, so it also works on errors from another realm.
 * @example if (isTabgridError(error)) console.error(error.message);
 */
export function isTabgridError(error: unknown): error is TabgridError {
  return error instanceof TabgridError || (error instanceof Error && SDK_ERROR_NAMES.has(error.name));
}

/** @example if (isHTTPError(error) && error.code === 'unauthorized') console.log('check the admin token'); */
export function isHTTPError(error: unknown): error is HTTPError {
  return hasErrorName(error, 'HTTPError');
}

/** @example if (isTimeoutError(error)) console.log('gave up after', error.timeoutMs, 'ms'); */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return hasErrorName(error, 'TimeoutError');
}

/** @example if (isNetworkError(error)) console.log('cannot reach', error.url); */
export function isNetworkError(error: unknown): error is NetworkError {
  return hasErrorName(error, 'NetworkError');
}

/** @example if (isJobFailedError(error)) console.log(error.state, error.message); */
export function isJobFailedError(error: unknown): error is JobFailedError {
  return hasErrorName(error, 'JobFailedError');
}

/** @example if (isJobRejectedError(error)) console.log(error.jobId, error.reason); */
export function isJobRejectedError(error: unknown): error is JobRejectedError {
  return hasErrorName(error, 'JobRejectedError');
}

/** @example if (isSpecError(error)) console.log(error.issues); */
export function isSpecError(error: unknown): error is SpecError {
  return hasErrorName(error, 'SpecError');
}

/** @example if (isResponseError(error)) console.log(error.cause); */
export function isResponseError(error: unknown): error is ResponseError {
  return hasErrorName(error, 'ResponseError');
}
