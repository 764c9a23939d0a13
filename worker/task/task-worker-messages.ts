import type { CheckpointAck, CheckpointEnvelope } from '../../shared/index.js';
import type { LogLevel, TaskLease } from '../../shared/index.js';
import type { RunSettings } from '../client/client-ports.js';
import type { TaskFailure } from '../errors.js';
import type { BlobAccess } from './shard-reader.js';
import type { GangPort } from './gang-link.js';

import type { TaskOutcome } from './task-runner.js';

/**
 * Executor → isolated task runtime (a Web Worker, a Node worker thread): run this lease with
 * this module source (downloading blob shards with `blobs`, busy at most `cpuShare` of the
 * time; a gang member talks to the others through `comm`'s port, transferred with the
 * request), the answer to checkpoint `id`, or the bytes (or failure) of blob request `id`.
 */
export type TaskWorkerRequest =
  | { type: 'run'; lease: TaskLease; source: string; blobs?: BlobAccess; cpuShare?: number; comm?: GangPort }
  | { type: 'checkpointed'; leaseId: string; id: number; ack: CheckpointAck }
  | { type: 'blob'; leaseId: string; id: number; bytes: Uint8Array }
  | { type: 'blob'; leaseId: string; id: number; error: TaskFailure };

/**
 * Isolated task runtime → executor: a log line, progress of the whole task, a checkpoint to send,
 * a blob it needs (`ctx.wasm`, `ctx.blob`), time it idled for the CPU limit, or how the task ended.
 */
export type TaskWorkerReply =
  | { type: 'log'; leaseId: string; level: LogLevel; message: string }
  | { type: 'progress'; leaseId: string; fraction: number }
  | { type: 'checkpoint'; leaseId: string; id: number; envelope: CheckpointEnvelope }
  | { type: 'blob'; leaseId: string; id: number; sha256: string }
  | { type: 'idle'; leaseId: string; ms: number }
  | { type: 'done'; leaseId: string; outcome: TaskOutcome };

/**
 * The `run` request for a lease, with blob access, the CPU share and the gang's port when there
 * are any, and what must be transferred with it (the port).
 * @example
 * const { request, transfer } = runRequest(lease, source, { origin, token }, { cpuShare: 0.5 });
 * worker.postMessage(request, transfer);
 */
export function runRequest(
  lease: TaskLease,
  source: string,
  blobs: BlobAccess | undefined,
  settings: RunSettings,
  comm?: GangPort,
): { request: TaskWorkerRequest; transfer: Transferable[] } {
  const request: Extract<TaskWorkerRequest, { type: 'run' }> = { type: 'run', lease, source };
  if (blobs) request.blobs = blobs;
  if (settings.cpuShare !== undefined && settings.cpuShare < 1) request.cpuShare = settings.cpuShare;
  if (comm) request.comm = comm;
  return { request, transfer: comm ? [comm.port] : [] };
}
