import type { LogLevel, TaskLease } from '../shared/index.js';
import type { BlobAccess } from './shard-reader.js';
import type { CheckpointAck, CheckpointEnvelope } from './task-checkpoint.js';
import type { TaskOutcome } from './task-runner.js';

/**
 * Executor → isolated task runtime (a Web Worker, a Node worker thread): run this lease with
 * this module source (downloading blob shards with `blobs`), or here is the answer to checkpoint `id`.
 */
export type TaskWorkerRequest =
  | { type: 'run'; lease: TaskLease; source: string; blobs?: BlobAccess }
  | { type: 'checkpointed'; leaseId: string; id: number; ack: CheckpointAck };

/** Isolated task runtime → executor: a log line, progress of the whole task, a checkpoint to send, or how the task ended. */
export type TaskWorkerReply =
  | { type: 'log'; leaseId: string; level: LogLevel; message: string }
  | { type: 'progress'; leaseId: string; fraction: number }
  | { type: 'checkpoint'; leaseId: string; id: number; envelope: CheckpointEnvelope }
  | { type: 'done'; leaseId: string; outcome: TaskOutcome };
