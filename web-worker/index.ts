/**
 * The volunteer side's public face: the runtime-neutral worker client, the task runtime and the
 * isolated side of an executor, which a Node worker and the SDK's local runner reuse. The join
 * page, its Web Worker and the browser executor stay internal.
 */
export { WorkerClient } from './client.js';
export type { RunSettings, SocketFactory, TaskExecutor, TaskHooks, TaskSocket, WorkerClientOptions } from './client-ports.js';
export type {
  ConnectionState,
  RunningTaskView,
  WorkerClientEvent,
  WorkerClientListener,
  WorkerClientSnapshot,
} from './client-events.js';
export { createBlobReader, type BlobReader, type BlobReaderOptions } from './blob-reader.js';
export { codeFetcherOf, createCodeFetcher, type CodeFetcher, type CodeFetcherOptions } from './code-fetcher.js';
export { blobUrl, workerSocketUrl } from './endpoints.js';
export { runTask, taskFunctionOf, type TaskOutcome, type TaskRun } from './task-runner.js';
export type { TaskPorts } from './task-attempt.js';
export type { ContextExtras, Predecessor, TaskContext, TaskFunction, TaskInfo } from './task-context.js';
export { readCheckpoint, type CheckpointAck, type CheckpointEnvelope } from './task-checkpoint.js';
export { httpShardReader, shardRecords, type BlobAccess, type BlobShard, type ShardReader } from './shard-reader.js';
export { loadTaskFunction, TaskHost, type ModuleImporter, type TaskHostOptions } from './task-host.js';
export { relayTaskReply } from './task-relay.js';
export { GangLink, GangMembers, type GangConnector, type GangLinks, type GangPort } from './gang-link.js';
export { inProcessGangs } from './in-process-gangs.js';
export { taskComm, type TaskComm } from './task-comm.js';
export { runRequest, type TaskWorkerReply, type TaskWorkerRequest } from './task-worker-messages.js';
export {
  blobBytes,
  blobRefSha,
  RecentBlobs,
  WasmModules,
  type BlobBytes,
  type BlobRef,
  type ByteRange,
  type WasmInstantiator,
} from './task-blobs.js';
export { cpuTensorProvider, TaskTensors, type LentTensorCore, type TaskTensorCore, type TensorProvider } from './task-tensor.js';
export { DutyCycle, idleAfter, MIN_CPU_SHARE } from './duty-cycle.js';
// The store's runtime-neutral parts; the IndexedDB one (`store/index.ts`) is for the join page.
export { DEFAULT_BLOB_CACHE_BYTES, MemoryBlobCache, MemoryWorkerStore } from './store/memory.js';
export { emptySavedState, type BlobCache, type OutboxEntry, type SavedLease, type SavedWorkerState, type WorkerStats, type WorkerStore } from './store/store.js';
export { isStorageError, StorageError } from './store/errors.js';
export { formatLogArgs } from './log-format.js';
export { Backoff, backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { systemTimers, Throttle, type TimerHandle, type Timers } from './timers.js';
export {
  BlobFetchError,
  BlobIntegrityError,
  BlobRefError,
  WasmModuleError,
  describeFailure,
  isTaskAbortedError,
  TaskAbortedError,
  TaskCodeError,
  TaskFailedError,
  type TaskFailure,
} from './errors.js';
