/**
 * The volunteer side's public face: the runtime-neutral worker client, the task runtime and the
 * isolated side of an executor, which a Node worker and the SDK's local runner reuse. The join
 * page, its Web Worker and the browser executor stay internal.
 */
export { WorkerClient } from './client.js';
export type { SocketFactory, TaskExecutor, TaskHooks, TaskSocket, WorkerClientOptions } from './client-ports.js';
export type {
  ConnectionState,
  RunningTaskView,
  WorkerClientEvent,
  WorkerClientListener,
  WorkerClientSnapshot,
} from './client-events.js';
export { createCodeFetcher, type CodeFetcher, type CodeFetcherOptions } from './code-fetcher.js';
export { blobUrl, workerSocketUrl } from './endpoints.js';
export { runTask, taskFunctionOf, type TaskOutcome, type TaskRun } from './task-runner.js';
export type { TaskPorts } from './task-attempt.js';
export type { ContextExtras, Predecessor, TaskContext, TaskFunction, TaskInfo } from './task-context.js';
export { readCheckpoint, type CheckpointAck, type CheckpointEnvelope } from './task-checkpoint.js';
export { httpShardReader, shardRecords, type BlobAccess, type BlobShard, type ShardReader } from './shard-reader.js';
export { loadTaskFunction, TaskHost, type ModuleImporter, type TaskHostOptions } from './task-host.js';
export { relayTaskReply } from './task-relay.js';
export type { TaskWorkerReply, TaskWorkerRequest } from './task-worker-messages.js';
export { formatLogArgs } from './log-format.js';
export { Backoff, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { systemTimers, Throttle, type TimerHandle, type Timers } from './timers.js';
export {
  BlobFetchError,
  BlobIntegrityError,
  describeFailure,
  isTaskAbortedError,
  TaskAbortedError,
  TaskCodeError,
  TaskFailedError,
  type TaskFailure,
} from './errors.js';
