import type { CheckpointAck } from '../../shared/index.js';
import type { Capabilities, LogLevel, TaskLease } from '../../shared/index.js';
import type { BackoffOptions } from './backoff.js';
import type { BlobReader } from './blob-reader.js';
import type { CodeFetcher } from './code-fetcher.js';
import type { ShardReader } from '../task/shard-reader.js';
import type { SavedWorkerState, WorkerStore } from '../store/store.js';

import type { Timers } from '../timers.js';

/**
 * The parts of a WebSocket the client uses: the browser's `WebSocket` and Node's `ws` both fit.
 * Handlers are typed to take `never` so that either implementation's own event types are
 * accepted; the client reads only `data` of a message event.
 */
export interface TaskSocket {
  /** 1 while open, as in the WebSocket standard. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/**
 * Opens a socket to `url`.
 * @example const connect: SocketFactory = (url) => new WebSocket(url);
 */
export type SocketFactory = (url: string) => TaskSocket;

/** Where a running task's logs, progress and checkpoints go. */
export interface TaskHooks {
  log(level: LogLevel, message: string): void;
  /** Progress of the whole task, from 0 to 1. */
  progress(fraction: number): void;
  /** Sends a checkpoint (the runtime's envelope) to the coordinator; resolves its answer, never rejects. */
  checkpoint(state: unknown): Promise<CheckpointAck>;
  /** A blob task code asked for (`ctx.wasm`, `ctx.blob`), verified, through the blob cache. */
  blob(sha256: string): Promise<Uint8Array>;
  /** The bytes of this blob task's own shard (its lease's input), downloaded by the executor's side. */
  shard(): Promise<Uint8Array>;
  /** The task idled this long between items for the CPU limit. */
  idle(ms: number): void;
}

/** How one task is to run. */
export interface RunSettings {
  /**
   * Share of the time the task may keep the worker busy: it idles between items in proportion.
   * @default 1
   */
  cpuShare?: number;
}

/**
 * Runs task code somewhere (a Web Worker in the browser, a worker thread under Node) with the
 * task runtime (`runTask`). `run` resolves with the outputs in item order (one output for range,
 * blob and reduce tasks), or rejects with the task's error (`message` and `stack` are reported as
 * they are). After `abort(leaseId)` the task's code must stop (its worker is terminated) and the
 * promise of that lease may settle either way: the client no longer listens to it. A lease's
 * `timeoutMs` is enforced by the client, through `abort`.
 */
export interface TaskExecutor {
  run(lease: TaskLease, source: string, hooks: TaskHooks, settings?: RunSettings): Promise<unknown[]>;
  abort(leaseId: string): void;
}

/** What a {@link WorkerClient} needs: where to connect, and the ports it works through. */
export interface WorkerClientOptions {
  /** The worker socket's URL, token included (see `workerSocketUrl`). */
  url: string;
  /** Opens a socket: `(url) => new WebSocket(url)`. */
  connect: SocketFactory;
  /** Runs task code. */
  executor: TaskExecutor;
  /** Answers task code by SHA-256 (see `createCodeFetcher`). */
  fetchCode: CodeFetcher;
  /**
   * Answers blobs task code asks for (`ctx.wasm`, `ctx.blob`), e.g. `createBlobReader` over the
   * store's blob cache.
   * @default none: such requests fail
   */
  readBlob?: BlobReader;
  /**
   * Downloads a blob task's shard, e.g. `httpShardReader({ origin, token })`: here, beside the
   * token, not in the task's isolated runtime, which is never given one.
   * @default none: blob tasks fail
   */
  readShard?: ShardReader;
  /** Reported in every `hello`. */
  capabilities: Capabilities;
  /**
   * Where the worker keeps its identity, leases, checkpoints and unacknowledged reports.
   * @default new MemoryWorkerStore()
   */
  store?: WorkerStore;
  /**
   * What the store kept from this worker's last run (`store.load()`): its id, the leases it held
   * (reclaimed if the coordinator kept them, resumed from their latest checkpoint), its
   * unacknowledged reports (sent again) and its stats.
   * @default nothing kept
   */
  restore?: SavedWorkerState;
  /**
   * Share of the time this worker may be busy (0.05 to 1): it idles between items and tasks in
   * proportion to the time it worked.
   * @default 1
   */
  cpuShare?: number;
  /**
   * Tasks run at once: the number of asks kept open (change it with `setConcurrency`).
   * @default 1
   */
  concurrency?: number;
  /**
   * The most tasks this worker may ever be set to run at once: what its `hello` declares, so that
   * `setConcurrency` can raise the number later without a new connection.
   * @default concurrency
   * @example { concurrency: 2, maxConcurrency: navigator.hardwareConcurrency }
   */
  maxConcurrency?: number;
  /**
   * Delays between reconnection attempts (`backoffDelay`: doubling by `factor`, capped, equal jitter).
   * @default { initialMs: 250, factor: 2, maxMs: 10_000 }
   */
  backoff?: BackoffOptions;
  /**
   * Least time between two `progress` messages of one task.
   * @default 250
   */
  progressIntervalMs?: number;
  /** @default systemTimers */
  timers?: Timers;
  /**
   * Draws the reconnect backoff's jitter: 0 waits half of each delay, 1 all of it.
   * @default Math.random
   */
  random?: () => number;
}
