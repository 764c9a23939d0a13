import type { TaskLease } from '../../shared/index.js';
import type { TaskReport } from '../client/messages.js';
import type { BlobCache, OutboxEntry, SavedLease, SavedWorkerState, WorkerStats, WorkerStore } from './store.js';

/** The default cap of a blob cache: 256 MiB. */
export const DEFAULT_BLOB_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * A {@link BlobCache} in memory: a `Map` kept in order of use, trimmed to `capBytes`.
 * @example
 * const cache = new MemoryBlobCache(64 * 1024 * 1024);
 * await cache.put(sha, bytes);
 */
export class MemoryBlobCache implements BlobCache {
  readonly #blobs = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(private readonly capBytes: number = DEFAULT_BLOB_CACHE_BYTES) {}

  get(sha256: string): Promise<Uint8Array | undefined> {
    const bytes = this.#blobs.get(sha256);
    if (bytes) {
      this.#blobs.delete(sha256);
      this.#blobs.set(sha256, bytes);
    }
    return Promise.resolve(bytes);
  }

  put(sha256: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.capBytes) return Promise.resolve();
    const previous = this.#blobs.get(sha256);
    if (previous) this.#bytes -= previous.byteLength;
    this.#blobs.delete(sha256);
    this.#blobs.set(sha256, bytes);
    this.#bytes += bytes.byteLength;
    for (const [oldest, old] of this.#blobs) {
      if (this.#bytes <= this.capBytes) break;
      this.#blobs.delete(oldest);
      this.#bytes -= old.byteLength;
    }
    return Promise.resolve();
  }

  /** The cached hashes, least recently used first. */
  keys(): string[] {
    return [...this.#blobs.keys()];
  }
}

/**
 * A {@link WorkerStore} in memory: the Node worker's, and the tab's when IndexedDB fails. Nothing
 * survives the process; within it, it keeps the same rules as the browser's store (values are
 * copied as JSON, the outbox keeps its order).
 * @example const client = new WorkerClient({ ...options, store: new MemoryWorkerStore() });
 */
export class MemoryWorkerStore implements WorkerStore {
  readonly durable: boolean = false;
  readonly blobs: BlobCache;
  #workerId: string | undefined;
  #stats: WorkerStats = { tasksDone: 0, computeMs: 0 };
  readonly #leases = new Map<string, SavedLease>();
  readonly #outbox = new Map<string, OutboxEntry>();

  constructor(options: { blobs?: BlobCache; saved?: SavedWorkerState } = {}) {
    this.blobs = options.blobs ?? new MemoryBlobCache();
    const { saved } = options;
    if (!saved) return;
    this.#workerId = saved.workerId;
    this.#stats = { ...saved.stats };
    for (const lease of saved.leases) this.#leases.set(lease.lease.leaseId, copy(lease));
    for (const entry of saved.outbox) this.#outbox.set(entry.leaseId, copy(entry));
  }

  load(): Promise<SavedWorkerState> {
    const saved: SavedWorkerState = {
      leases: [...this.#leases.values()].map(copy),
      outbox: [...this.#outbox.values()].map(copy),
      stats: { ...this.#stats },
    };
    if (this.#workerId !== undefined) saved.workerId = this.#workerId;
    return Promise.resolve(saved);
  }

  saveWorkerId(workerId: string): Promise<void> {
    this.#workerId = workerId;
    return Promise.resolve();
  }

  saveStats(stats: WorkerStats): Promise<void> {
    this.#stats = { ...stats };
    return Promise.resolve();
  }

  saveLease(lease: TaskLease): Promise<void> {
    const saved: SavedLease = { lease: copy(lease) };
    if (lease.restored !== undefined) saved.checkpoint = copy(lease.restored);
    this.#leases.set(lease.leaseId, saved);
    return Promise.resolve();
  }

  saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void> {
    const saved = this.#leases.get(leaseId);
    if (saved && checkpoint === undefined) delete saved.checkpoint;
    else if (saved) saved.checkpoint = copy(checkpoint);
    return Promise.resolve();
  }

  finishLease(leaseId: string, report: TaskReport): Promise<void> {
    this.#leases.delete(leaseId);
    this.#outbox.delete(leaseId);
    this.#outbox.set(leaseId, { leaseId, report: copy(report), finishedAt: Date.now() });
    return Promise.resolve();
  }

  dropLease(leaseId: string): Promise<void> {
    this.#leases.delete(leaseId);
    return Promise.resolve();
  }

  acknowledge(leaseId: string): Promise<void> {
    this.#outbox.delete(leaseId);
    return Promise.resolve();
  }

  close(): void {}
}

/** A JSON copy: what a stored value would read back as. */
function copy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
