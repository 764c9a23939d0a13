import { hasErrorName } from '../../../shared/index.js';
import { within } from '../../../worker/index.js';

/**
 * A step of the backend choice (opening, tuning or measuring one backend) did not answer within
 * its time limit: a GPU that hangs, or a machine too busy to measure on.
 * @example throw new TimeLimitError('webgpu', 15000)
 */
export class TimeLimitError extends Error {
  override readonly name = 'TimeLimitError';

  constructor(
    readonly what: string,
    readonly limitMs: number,
  ) {
    super(`${what}: no answer within ${limitMs} ms`);
  }
}

/** @example if (isTimeLimitError(error)) reason = 'did not answer in time' */
export function isTimeLimitError(error: unknown): error is TimeLimitError {
  return hasErrorName(error, 'TimeLimitError');
}

/**
 * What `work` settles to, or a `TimeLimitError` once `ms` have passed. `work` itself goes on (a
 * promise cannot be stopped): `onLate` receives what it resolves to after the limit, so a
 * backend opened too late can still be released.
 * @example const backend = await withTimeLimit(createWebGpuBackend(), 15_000, 'webgpu', (late) => late.destroy());
 */
export function withTimeLimit<T>(work: Promise<T>, ms: number, what: string, onLate?: (late: T) => void): Promise<T> {
  let timedOut = false;
  void work.then(
    (value) => {
      if (timedOut) onLate?.(value);
    },
    () => undefined,
  );
  return within(work, ms, () => {
    timedOut = true;
    throw new TimeLimitError(what, ms);
  });
}
