/**
 * Named errors of the volunteer side. Guards compare `name`, so they hold across
 * realms (an error rebuilt from a Web Worker's message is still recognised).
 */

/** The task code could not be used: no default export, or the module failed to load. */
export class TaskCodeError extends Error {
  override readonly name = 'TaskCodeError';
}

/** Task code bytes did not match the SHA-256 they were asked for by. */
export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
}

/** The coordinator could not be reached for a blob, or answered with an error status. */
export class BlobFetchError extends Error {
  override readonly name = 'BlobFetchError';
}

/** Task code named a blob wrongly (`ctx.wasm(ref)`, `ctx.blob(ref)`). */
export class BlobRefError extends TypeError {
  override readonly name = 'BlobRefError';
}

/** A blob given to `ctx.wasm` did not compile or instantiate; `cause` is WebAssembly's own error. */
export class WasmModuleError extends Error {
  override readonly name = 'WasmModuleError';
}

/** A task's code threw: the message and stack are the task's own. */
export class TaskFailedError extends Error {
  override readonly name = 'TaskFailedError';

  /**
   * @param failure what the task threw, as plain data (it may come from another realm)
   */
  /** The task failed because another member of its gang was lost or unreachable. */
  readonly gangCause: boolean;

  constructor(failure: TaskFailure, options?: ErrorOptions) {
    super(failure.message, options);
    if (failure.stack !== undefined) this.stack = failure.stack;
    this.gangCause = failure.cause === 'gang';
  }
}

/** A task's output cannot be reported: JSON would not carry it as it is (see `taskOutputProblem`). */
export class TaskOutputError extends TypeError {
  override readonly name = 'TaskOutputError';
}

/** A task was stopped before it finished (revoked, or its lease was not kept). */
export class TaskAbortedError extends Error {
  override readonly name = 'TaskAbortedError';
}

/** What a failed task reports: plain data, safe to post between realms and to send as JSON. */
export interface TaskFailure {
  message: string;
  stack?: string;
  /** `gang`: the attempt failed because another member of its gang was lost or could not be reached. */
  cause?: 'gang';
}

/** True for a {@link TaskAbortedError}, from this realm or another. */
export function isTaskAbortedError(error: unknown): error is TaskAbortedError {
  return error instanceof Error && error.name === 'TaskAbortedError';
}

/**
 * Plain `{ message, stack }` of anything thrown; a thrown non-Error becomes its string form.
 * @example describeFailure(new Error('boom')) // { message: 'boom', stack: 'Error: boom\n    at ...' }
 */
export function describeFailure(thrown: unknown): TaskFailure {
  if (thrown instanceof Error || isErrorLike(thrown)) {
    const failure: TaskFailure = { message: String(thrown.message) };
    if (typeof thrown.stack === 'string') failure.stack = thrown.stack;
    if (GANG_ERRORS.has(String((thrown as { name?: unknown }).name)) || (thrown as { gangCause?: unknown }).gangCause === true) failure.cause = 'gang';
    return failure;
  }
  return { message: String(thrown) };
}

/** Errors of `ctx.comm` that mean another member is gone or unreachable, not that this one failed. */
const GANG_ERRORS = new Set(['PeerLostError', 'PeerConnectError', 'CollectiveTimeoutError']);

function isErrorLike(value: unknown): value is { message: unknown; stack?: unknown } {
  return typeof value === 'object' && value !== null && 'message' in value;
}
