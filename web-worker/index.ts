/**
 * The volunteer side's public face: the runtime-neutral worker client and task runner, which a
 * Node worker reuses. The join page, its Web Worker and the browser executor stay internal.
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
export {
  runTaskItems,
  taskFunctionOf,
  type TaskContext,
  type TaskFunction,
  type TaskInfo,
  type TaskItemsRun,
  type TaskOutcome,
} from './task-runner.js';
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
