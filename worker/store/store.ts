import type { TaskLease } from '../../shared/index.js';
import type { TaskReport } from '../client/messages.js';

/** What a worker has given so far, shown on the page and kept across reloads. */
export interface WorkerStats {
  /** Results the coordinator accepted. */
  tasksDone: number;
  /** Time spent running task code (idle time for the CPU limit not counted), in milliseconds. */
  computeMs: number;
}

/** A lease this worker held when it last ran, with the latest checkpoint its task saved here. */
export interface SavedLease {
  lease: TaskLease;
  /** The checkpoint envelope last written for this lease; absent before the first one. */
  checkpoint?: unknown;
}

/** A finished task's report that the coordinator has not acknowledged yet. */
export interface OutboxEntry {
  leaseId: string;
  report: TaskReport;
  /** When the task finished (ms since the epoch). */
  finishedAt: number;
}

/** Everything a worker kept from its last run: read once at startup by {@link WorkerStore.load}. */
export interface SavedWorkerState {
  /** The id the coordinator gave this worker, if it was ever welcomed. */
  workerId?: string;
  leases: SavedLease[];
  /** Unacknowledged reports, oldest first. */
  outbox: OutboxEntry[];
  stats: WorkerStats;
}

/**
 * Blobs by SHA-256 (task code, WASM modules, inputs), kept up to a size cap; the least recently
 * used go first. Bytes put here must already be verified against their hash.
 */
export interface BlobCache {
  /** The bytes, or undefined when they are not cached; a hit counts as a use. */
  get(sha256: string): Promise<Uint8Array | undefined>;
  /** Keeps the bytes (unless they alone are over the cap), evicting the least recently used. */
  put(sha256: string, bytes: Uint8Array): Promise<void>;
}

/**
 * What one worker keeps about itself: its identity, its leases with their latest checkpoints,
 * and an outbox of finished reports; plus the blob cache, shared by every worker of the browser.
 * The browser's implementation is IndexedDB (Dexie), the Node worker's is in memory
 * ({@link MemoryWorkerStore}). Methods reject with a `StorageError`.
 * @example
 * const saved = await store.load();
 * await store.saveLease(lease);
 * await store.saveCheckpoint(lease.leaseId, { user: { step: 3 } }); // before the checkpoint is sent
 * await store.finishLease(lease.leaseId, { type: 'result', leaseId: lease.leaseId, outputs }); // before the result is sent
 * await store.acknowledge(lease.leaseId); // on the coordinator's `ack`
 */
export interface WorkerStore {
  /** True when what is written survives a reload. */
  readonly durable: boolean;
  readonly blobs: BlobCache;
  load(): Promise<SavedWorkerState>;
  saveWorkerId(workerId: string): Promise<void>;
  saveStats(stats: WorkerStats): Promise<void>;
  /** Records a lease as held, with no checkpoint yet (or the one it came with as `restored`). */
  saveLease(lease: TaskLease): Promise<void>;
  /**
   * Replaces the lease's checkpoint (undefined: it has none, as before its first); a lease no
   * longer held is left alone.
   */
  saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void>;
  /** In one transaction: the lease is no longer held, and its report waits in the outbox. */
  finishLease(leaseId: string, report: TaskReport): Promise<void>;
  /** Forgets a lease and its checkpoint (revoked, lapsed, or aborted). */
  dropLease(leaseId: string): Promise<void>;
  /** The coordinator acknowledged the lease's report: it leaves the outbox. */
  acknowledge(leaseId: string): Promise<void>;
  /** Lets go of the database and the tab's claim on its records. */
  close(): void;
}

/** An empty {@link SavedWorkerState}. */
export function emptySavedState(): SavedWorkerState {
  return { leases: [], outbox: [], stats: { tasksDone: 0, computeMs: 0 } };
}
