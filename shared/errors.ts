import { z } from 'zod';

/**
 * Every error code the coordinator sends: in REST error bodies and in the worker socket's
 * `error` messages. One closed list, so the server cannot send a code its clients do not know
 * and every client (SDK, CLI, panels, workers) switches on the same words.
 * @example if (error.code === 'not_found') console.log('no such job');
 */
export const ErrorCode = z.enum([
  /** 401: the admin token or session (REST) or the join token (worker socket, blob downloads) is missing, wrong or over. */
  'unauthorized',
  /** 403: a state-changing request with the admin panel's session cookie came from another origin. */
  'forbidden',
  /** 404: no such job, blob, route or file, or a job without a reduce step asked for its result. */
  'not_found',
  /** 409: the job is in the wrong state for this (cancel an ended job, resume one not PAUSED, result before COMPLETED). */
  'conflict',
  /** 400: the body is not valid JSON. */
  'invalid_json',
  /** 400: the job spec failed validation; `details` lists `{ path, message }` per bad field. */
  'invalid_spec',
  /** 400: a blob name is not a lowercase hex SHA-256. */
  'invalid_blob_name',
  /** 400: a blob's bytes do not hash to the SHA-256 it was PUT under. */
  'hash_mismatch',
  /** 413: the request body is over the coordinator's limit (nothing was recorded). */
  'too_large',
  /** 415: a JSON body was sent without `Content-Type: application/json`. */
  'unsupported_media_type',
  /** 416: a blob download's `Range` lies outside the blob. */
  'range_not_satisfiable',
  /** 400: a query parameter is not what the route takes (a bad `limit`, `cursor` or `state`), or a path's task index is not one. */
  'invalid_query',
  /** 503 (REST and worker socket): this coordinator is a standby; `Retry-After` says when to ask again, and another of the coordinators sharing its store is active. */
  'standby',
  /** 503: the web apps (join page, admin panel) were not built. */
  'not_built',
  /** Any other refusal by the HTTP layer, with its own status. */
  'http_error',
  /** 500, or on the socket: the coordinator failed handling the request; its log says why. */
  'internal',
  /** Worker socket: a frame that is not text, not JSON, or not a valid worker message. */
  'bad_message',
  /** Worker socket: a message other than `hello` before `hello`. */
  'hello_first',
  /** Worker socket: a message out of turn, e.g. a second `hello` on one socket. */
  'out_of_turn',
  /** Worker socket: an `ask` while the worker's asks and leases already fill the concurrency it declared (or the coordinator allows), or too many of some message. REST (503): the admin feed has all the connections it takes. */
  'over_capacity',
  /** Worker socket: this worker is quarantined (its results disagreed with quorums); it gets no work until an admin releases it. */
  'quarantined',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The body of every error response from the REST API. */
export const ErrorBody = z.object({
  error: z.object({ code: ErrorCode, message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error body as a client reads it from a coordinator of any version. */
export interface ReceivedError {
  /** The code, when it is one of {@link ErrorCode}; undefined for a code this version does not know. */
  code: ErrorCode | undefined;
  /** The code as sent, known or not. */
  rawCode: string;
  message: string;
  details: unknown;
}

const AnyErrorBody = z.object({ error: ErrorBody.shape.error.extend({ code: z.string() }) });

/**
 * Reads `{ error: { code, message, details } }` without failing on a code added by a newer
 * coordinator: such a code is kept in `rawCode` and `code` is undefined. Undefined when `json`
 * is no error body at all.
 * @example readErrorBody({ error: { code: 'not_found', message: 'job j1 not found' } }) // { code: 'not_found', rawCode: 'not_found', ... }
 */
export function readErrorBody(json: unknown): ReceivedError | undefined {
  const parsed = AnyErrorBody.safeParse(json);
  if (!parsed.success) return undefined;
  const { code, message, details } = parsed.data.error;
  const known = ErrorCode.safeParse(code);
  return { code: known.success ? known.data : undefined, rawCode: code, message, details };
}

/**
 * Turns zod issues into `[{ path: 'input.chunkSize', message: '...' }]`, the `details` of a 400.
 * @example describeIssues(JobSpec.safeParse({}).error!)
 */
export function describeIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** One readable sentence from zod issues: `name: Required; input.items: ...`. */
export function summarizeIssues(error: z.ZodError): string {
  return describeIssues(error)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}
