import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import type { ErrorBody, ErrorCode } from '../../shared/index.js';

/** What handlers throw: the one error boundary turns it into `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
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

function body(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The coordinator's one error boundary: never a stack trace, never a bare 500 for bad input. */
export function answerError(error: Error, c: Context): Response {
  if (error instanceof ApiError) return c.json(body(error.code, error.message, error.details), error.status);
  if (error instanceof HTTPException) {
    const code: ErrorCode = error.status === 413 ? 'too_large' : error.status === 401 ? 'unauthorized' : 'http_error';
    return c.json(body(code, error.message || 'request refused'), error.status);
  }
  console.error('unexpected error answering', c.req.method, c.req.path, error);
  return c.json(body('internal', 'internal error'), 500);
}
