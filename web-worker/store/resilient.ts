import type { TaskLease } from '../../shared/index.js';
import type { TaskReport } from '../../worker/index.js';
import { openBrowserStore, type BrowserStoreOptions } from './dexie-store.js';
import { isStorageError, toStorageError, type StorageError } from '../../worker/index.js';
import { DEFAULT_BLOB_CACHE_BYTES, MemoryBlobCache, MemoryWorkerStore } from '../../worker/index.js';
import type { BlobCache, SavedWorkerState, WorkerStats, WorkerStore } from '../../worker/index.js';

/** Told once, when the store gives up on persistence. */
export type DegradedListener = (problem: StorageError) => void;

/**
 * A {@link WorkerStore} that never fails the worker: it uses `inner` until `inner` throws a
 * `StorageError` (quota used up, database closed by an upgrade, storage revoked), then says so
 * once and goes on in memory. What the worker holds in memory is its own truth while it runs,
 * so nothing is lost but the ability to survive a reload.
 * @example
 * const store = new ResilientStore(await openBrowserStore(), (problem) => showBanner(problem.message));
 * const store = ResilientStore.inMemory(openError); // IndexedDB could not even be opened
 */
export class ResilientStore implements WorkerStore {
  #inner: WorkerStore;
  #problem: StorageError | undefined;
  readonly #listeners = new Set<DegradedListener>();
  readonly blobs: BlobCache;

  constructor(
    inner: WorkerStore,
    private readonly blobCacheBytes: number = DEFAULT_BLOB_CACHE_BYTES,
  ) {
    this.#inner = inner;
    this.blobs = {
      get: (sha256) => this.#run((store) => store.blobs.get(sha256)),
      put: (sha256, bytes) => this.#run((store) => store.blobs.put(sha256, bytes)),
    };
  }

  /** A store that starts in memory because `problem` kept the durable one from opening. */
  static inMemory(problem: StorageError, blobCacheBytes: number = DEFAULT_BLOB_CACHE_BYTES): ResilientStore {
    const store = new ResilientStore(new MemoryWorkerStore({ blobs: new MemoryBlobCache(blobCacheBytes) }), blobCacheBytes);
    store.#problem = problem;
    return store;
  }

  get durable(): boolean {
    return this.#inner.durable;
  }

  /** Why the store is not durable (any more), if it failed. */
  get problem(): StorageError | undefined {
    return this.#problem;
  }

  /** Calls `listener` when the store gives up on persistence; returns a function that unsubscribes. */
  onDegraded(listener: DegradedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  load(): Promise<SavedWorkerState> {
    return this.#run((store) => store.load());
  }

  saveWorkerId(workerId: string): Promise<void> {
    return this.#run((store) => store.saveWorkerId(workerId));
  }

  saveStats(stats: WorkerStats): Promise<void> {
    return this.#run((store) => store.saveStats(stats));
  }

  saveLease(lease: TaskLease): Promise<void> {
    return this.#run((store) => store.saveLease(lease));
  }

  saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void> {
    return this.#run((store) => store.saveCheckpoint(leaseId, checkpoint));
  }

  finishLease(leaseId: string, report: TaskReport): Promise<void> {
    return this.#run((store) => store.finishLease(leaseId, report));
  }

  dropLease(leaseId: string): Promise<void> {
    return this.#run((store) => store.dropLease(leaseId));
  }

  acknowledge(leaseId: string): Promise<void> {
    return this.#run((store) => store.acknowledge(leaseId));
  }

  close(): void {
    this.#inner.close();
  }

  async #run<T>(step: (store: WorkerStore) => Promise<T>): Promise<T> {
    const store = this.#inner;
    try {
      return await step(store);
    } catch (error) {
      if (!isStorageError(error)) throw error;
      this.#degrade(store, error);
      return step(this.#inner);
    }
  }

  #degrade(failed: WorkerStore, problem: StorageError): void {
    // Several steps in flight may fail together: the first one switches, the others follow.
    if (this.#inner !== failed) return;
    this.#inner = new MemoryWorkerStore({ blobs: new MemoryBlobCache(this.blobCacheBytes) });
    this.#problem = problem;
    // The failed store is not closed: that would give up the tab's claim on its identity, which
    // this worker still uses, and let a duplicated tab take it.
    for (const listener of this.#listeners) listener(problem);
  }
}

/** A tab's store, opened, and what it kept from the tab's last run. */
export interface OpenedVolunteerStore {
  store: ResilientStore;
  saved: SavedWorkerState;
}

/**
 * Opens the tab's store in IndexedDB and reads what it kept; when IndexedDB cannot be used, the
 * store runs in memory and its `problem` says why. Never rejects for storage reasons.
 * @example
 * const { store, saved } = await openVolunteerStore();
 * if (store.problem) showBanner(`working without persistence: ${store.problem.message}`);
 */
export async function openVolunteerStore(options: BrowserStoreOptions = {}): Promise<OpenedVolunteerStore> {
  const blobCacheBytes = options.blobCacheBytes ?? DEFAULT_BLOB_CACHE_BYTES;
  let store: ResilientStore;
  try {
    store = new ResilientStore(await openBrowserStore(options), blobCacheBytes);
  } catch (error) {
    store = ResilientStore.inMemory(toStorageError(error, 'opening the store'), blobCacheBytes);
  }
  return { store, saved: await store.load() };
}
