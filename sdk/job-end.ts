import type { JobStatus } from '../shared/index.js';
import { JobFailedError } from './errors.js';

const ENDING_WORDS = { FAILED: 'failed', CANCELLED: 'was cancelled', REJECTED: 'was rejected' } as const;

/**
 * A job's final status when it completed; else the `JobFailedError` that says how it ended
 * (its message is the job's error, or that it failed, was cancelled or rejected).
 * @example const final = settle(await job.status()); // throws unless COMPLETED
 */
export function settle(status: JobStatus): JobStatus {
  if (status.state === 'COMPLETED') return status;
  const state = status.state === 'CANCELLED' || status.state === 'REJECTED' ? status.state : 'FAILED';
  const fallback = `job ${status.id} ${ENDING_WORDS[state]}`;
  throw new JobFailedError({
    jobId: status.id,
    state,
    message: status.error?.message ?? fallback,
    taskIndex: status.error?.taskIndex,
  });
}
