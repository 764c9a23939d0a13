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
  /** 413: the request body or the job spec is over one of the coordinator's limits: nothing was recorded, or (a spec over `maxSpecBytes`) the job was recorded as REJECTED and the answer's `job` is its status. */
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
  /** Worker socket: an `ask` while the worker's asks and leases already fill the concurrency it declared (or the coordinator allows), or too many of some message. REST: 503, the admin feed has all the connections it takes; 429, `maxQueuedJobs` jobs are waiting or running, so a submitted job was recorded as REJECTED (the answer's `job` is its status). */
  'over_capacity',
  /** Worker socket: this worker is quarantined (its results disagreed with quorums); it gets no work until an admin releases it. */
  'quarantined',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The media type of every error answer from the REST API (RFC 9457 problem details). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Each code's `title`: the same for every answer with that code, as RFC 9457 asks. */
const PROBLEM_TITLES: Readonly<Record<ErrorCode, string>> = {
  unauthorized: 'Not authorized',
  forbidden: 'Forbidden from this origin',
  not_found: 'Not found',
  conflict: 'Not in a state that allows this',
  invalid_json: 'Body is not JSON',
  invalid_spec: 'Invalid request body',
  invalid_blob_name: 'Invalid blob name',
  hash_mismatch: 'Bytes do not match their hash',
  too_large: 'Over a limit',
  unsupported_media_type: 'Unsupported media type',
  range_not_satisfiable: 'Range not satisfiable',
  invalid_query: 'Invalid query or path',
  standby: 'Coordinator on standby',
  not_built: 'Web apps not built',
  http_error: 'Refused by the HTTP layer',
  internal: 'Internal error',
  bad_message: 'Bad message',
  hello_first: 'Hello first',
  out_of_turn: 'Message out of turn',
  over_capacity: 'Over capacity',
  quarantined: 'Worker quarantined',
};

/**
 * The `type` of a problem with `code`: a URI reference into the coordinator's API reference,
 * one per code and the same on every coordinator. Clients switch on `code`; `type` is there for
 * what reads RFC 9457 generically.
 * @example problemType('not_found') // '/api/docs#problem-not_found'
 */
export function problemType(code: ErrorCode): string {
  return `/api/docs#problem-${code}`;
}

/**
 * The body of every error answer from the REST API: RFC 9457 problem details
 * (`application/problem+json`), with the project's closed `code` and its `details`. As RFC 9457
 * has it, a problem may carry more members (extensions): a REJECTED job's status as `job`.
 */
export const ProblemDetails = z.looseObject({
  type: z.string().meta({ description: 'The problem type: a URI reference, one per code (`/api/docs#problem-<code>`).' }),
  title: z.string().meta({ description: "The code's summary, the same for every answer with that code." }),
  status: z.number().int().min(400).max(599).meta({ description: 'The HTTP status of the answer.' }),
  detail: z.string().meta({ description: 'What went wrong this time, in words a person can act on.' }),
  code: ErrorCode.meta({ description: 'What went wrong, from a closed list: clients switch on it.' }),
  details: z.unknown().optional().meta({ description: 'More facts: for `invalid_spec`, `invalid_query` and a spec over a limit, a list of `{ path, message }`.' }),
}).meta({ id: 'Problem', description: 'Problem details (RFC 9457): the body of every error answer. Other members may follow (`job`).' });
export type ProblemDetails = z.infer<typeof ProblemDetails>;

/**
 * The problem details of an error answer.
 * @example problemDetails(404, 'not_found', 'job j1 not found') // { type: '/api/docs#problem-not_found', title: 'Not found', status: 404, detail: 'job j1 not found', code: 'not_found' }
 */
export function problemDetails(status: number, code: ErrorCode, detail: string, details?: unknown): ProblemDetails {
  const problem: ProblemDetails = { type: problemType(code), title: PROBLEM_TITLES[code], status, detail, code };
  if (details !== undefined) problem.details = details;
  return problem;
}

/** An error answer as a client reads it from a coordinator of any version. */
export interface ReceivedError {
  /** The code, when it is one of {@link ErrorCode}; undefined for a code this version does not know, or none. */
  code: ErrorCode | undefined;
  /** The code as sent, known or not; undefined when the problem had none (one from a proxy). */
  rawCode: string | undefined;
  /** The problem's `detail` (its `title` when it has none). */
  message: string;
  details: unknown;
}

const AnyProblem = z.object({
  title: z.string().optional(),
  detail: z.string().optional(),
  code: z.string().optional(),
  details: z.unknown().optional(),
});

/**
 * Reads problem details without failing on a code added by a newer coordinator: such a code is
 * kept in `rawCode` and `code` is undefined. Undefined when `json` is no problem at all (neither
 * `detail` nor `title`).
 * @example readErrorBody({ title: 'Not found', status: 404, detail: 'job j1 not found', code: 'not_found' }) // { code: 'not_found', rawCode: 'not_found', message: 'job j1 not found', details: undefined }
 */
export function readErrorBody(json: unknown): ReceivedError | undefined {
  const parsed = AnyProblem.safeParse(json);
  if (!parsed.success) return undefined;
  const { title, detail, code, details } = parsed.data;
  const message = detail ?? title;
  if (message === undefined) return undefined;
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
