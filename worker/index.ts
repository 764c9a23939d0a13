/**
 * The runtime-neutral worker core: the worker client (socket, leases, outbox, reconnects), the
 * task runtime (task code, checkpoints, blobs, `ctx.tensor`, `ctx.comm`), the comm core and the
 * worker store's port with its in-memory store. It imports nothing of the browser or of Node:
 * the browser host (`web-worker/`), the Node host (`node-worker/`) and the SDK's local runner
 * stand on it. This face exports what those use, and nothing else.
 * @example
 * const client = new WorkerClient({ url, token, executor, store: new MemoryWorkerStore() });
 * client.start();
 */
export { type BlobReader, createBlobReader } from './client/blob-reader.js';
export type { WorkerClientEvent, WorkerClientSnapshot } from './client/client-events.js';
export type { RunSettings, SocketFactory, TaskExecutor, TaskHooks } from './client/client-ports.js';
export { WorkerClient } from './client/client.js';
export { codeFetcherOf } from './client/code-fetcher.js';
export { workerSocketUrl } from './client/endpoints.js';
export type { TaskReport } from './client/messages.js';
export type { Comm, CommStats } from './comm/comm.js';
export { CommClosedError, CommUsageError, MessageTooLargeError, PeerConnectError, PeerLostError, isCommClosedError, isPeerLostError } from './comm/errors.js';
export { createComm } from './comm/gang-comm.js';
export { createInProcessGang, createInProcessNetwork } from './comm/in-process.js';
export { segmentBounds } from './comm/ring.js';
export { CHROMIUM_MAX_MESSAGE_BYTES, DEFAULT_LOW_WATER_BYTES, type MessageListener, type PeerLostListener, type Transport } from './comm/transport.js';
export type { NumericValue } from './comm/values.js';
export { type ReduceOp, encodeMessage } from './comm/wire.js';
export { BlobFetchError, TaskAbortedError, TaskFailedError, type TaskFailure, describeFailure } from './errors.js';
export { StorageError, StorageQuotaError, StorageUnavailableError, StorageUpgradeError, isStorageError, isStorageQuotaError, isStorageUnavailableError, isStorageUpgradeError, storageStep, toStorageError } from './store/errors.js';
export { DEFAULT_BLOB_CACHE_BYTES, MemoryBlobCache, MemoryWorkerStore } from './store/memory.js';
export { type BlobCache, type OutboxEntry, type SavedLease, type SavedWorkerState, type WorkerStats, type WorkerStore, emptySavedState } from './store/store.js';
export { type GangConnector, GangMembers, type GangPort } from './task/gang-link.js';
export { inProcessGangs } from './task/in-process-gangs.js';
export { IdleRuntimes } from './task/idle-runtimes.js';
export { truncate } from './task/log-format.js';
export { httpShardReader, type BlobAccess } from './task/shard-reader.js';
export type { TaskPorts } from './task/task-attempt.js';
export { WasmModules, blobBytes } from './task/task-blobs.js';
export { TaskHost, loadTaskFunction } from './task/task-host.js';
export { relayTaskReply } from './task/task-relay.js';
export { type TaskOutcome, type TaskRun, runTask } from './task/task-runner.js';
export { type LendOptions, type LentTensorCore, TaskTensors, type TensorProvider, cpuTensorProvider } from './task/task-tensor.js';
export { type TaskWorkerReply, type TaskWorkerRequest, peekMessage, readMessage, runRequest } from './task/task-worker-messages.js';
export { within } from './timers.js';

