import type { TaskLease } from '../shared/index.js';
import type { TaskOutcome } from './task-runner.js';

/** Page → task Web Worker: run this lease with this module source. */
export interface TaskWorkerRequest {
  type: 'run';
  lease: TaskLease;
  source: string;
}

/** Task Web Worker → page: a log line, progress of the whole task, or how the task ended. */
export type TaskWorkerReply =
  | { type: 'log'; leaseId: string; message: string }
  | { type: 'progress'; leaseId: string; fraction: number }
  | { type: 'done'; leaseId: string; outcome: TaskOutcome };
