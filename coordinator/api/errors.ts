import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { PROBLEM_CONTENT_TYPE, problemDetails, type ErrorCode } from '../../shared/index.js';
import { requestLog } from './request-log.js';

/**
 * What handlers throw: the one error boundary turns it into problem details (RFC 9457) with its
 * `code` and `details`. `extensions` are further members of the problem (the REJECTED `job`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly extensions?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);

/** The `onError` of hono's bodyLimit: a 413 naming the limit. */
export function tooLarge(limit: number): () => never {
  return () => {
    throw new ApiError(413, 'too_large', `body is over the limit of ${limit} bytes`);
  };
}

/** The coordinator's one error boundary: never a stack trace, never a bare 500 for bad input. */
export function answerError(error: Error, c: Context): Response {
  if (error instanceof ApiError) return problem(c, error.status, error.code, error.message, error.details, error.extensions);
  if (error instanceof HTTPException) {
    const code: ErrorCode = error.status === 413 ? 'too_large' : error.status === 401 ? 'unauthorized' : 'http_error';
    return problem(c, error.status, code, error.message || 'request refused');
  }
  requestLog(c).error({ err: error, method: c.req.method, path: c.req.path }, 'unexpected error answering a request');
  return problem(c, 500, 'internal', 'internal error');
}

function problem(c: Context, status: ContentfulStatusCode, code: ErrorCode, detail: string, details?: unknown, extensions?: Readonly<Record<string, unknown>>): Response {
  const body = { ...problemDetails(status, code, detail, details), ...extensions };
  return c.body(JSON.stringify(body), status, { 'content-type': PROBLEM_CONTENT_TYPE });
}
