import type { TaskLease } from '../../shared/index.js';
import type { TaskReport } from '../../worker/index.js';
import { DexieBlobCache } from './blob-cache.js';
import { storageStep } from '../../worker/index.js';
import { claimIdentity, saveStats, saveWorkerId, type IdentitySource } from './identity.js';
import { dropLease, listLeases, saveCheckpoint, saveLease } from './leases.js';
import { DEFAULT_BLOB_CACHE_BYTES } from '../../worker/index.js';
import { openDatabase } from './open-database.js';
import { acknowledge, finishLease, listOutbox } from './outbox.js';
import { VOLUNTEER_DATABASE, type VolunteerDatabase } from './schema.js';
import type { SavedWorkerState, WorkerStats, WorkerStore } from '../../worker/index.js';
import { pageSessionStorage, type TabKeyStorage, type TabLock, type TabLocks } from './tab-lock.js';

/** Where and how {@link openBrowserStore} keeps a tab's state. */
export interface BrowserStoreOptions {
  /** @default 'tabgrid-volunteer' */
  name?: string;
  /** Where the tab's key survives a reload. @default globalThis.sessionStorage */
  session?: TabKeyStorage;
  /** Keeps two live tabs from sharing a key. @default navigator.locks */
  locks?: TabLocks;
  /**
   * Cap of the blob cache shared by all tabs, in bytes.
   * @default 256 MiB
   */
  blobCacheBytes?: number;
  /**
   * How long a reloaded tab waits for its previous page to let go of its key before taking it
   * for a duplicated tab's and starting as another worker.
   * @default 3000
   */
  reclaimWaitMs?: number;
  /** @default 3000 (see `openDatabase`) */
  blockedGraceMs?: number;
}

/**
 * The tab's {@link WorkerStore} in IndexedDB (Dexie): its rows are keyed by its tab key, claimed
 * with a Web Lock so that sibling tabs never share them. Writes run one after another in the
 * order they were asked for, so a checkpoint never lands after its task's report.
 */
export class DexieWorkerStore implements WorkerStore {
  readonly durable = true;
  readonly blobs: DexieBlobCache;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(
    readonly db: VolunteerDatabase,
    private readonly lock: TabLock,
    /** How this tab came by its identity. */
    readonly source: IdentitySource,
    blobCacheBytes: number = DEFAULT_BLOB_CACHE_BYTES,
  ) {
    this.blobs = new DexieBlobCache(db, blobCacheBytes);
  }

  get tabKey(): string {
    return this.lock.tabKey;
  }

  async load(): Promise<SavedWorkerState> {
    const { db, tabKey } = this;
    const identity = await storageStep('reading the identity', () => db.identities.get(tabKey));
    const saved: SavedWorkerState = {
      leases: await listLeases(db, tabKey),
      outbox: await listOutbox(db, tabKey),
      stats: { tasksDone: identity?.tasksDone ?? 0, computeMs: identity?.computeMs ?? 0 },
    };
    if (identity?.workerId) saved.workerId = identity.workerId;
    return saved;
  }

  saveWorkerId(workerId: string): Promise<void> {
    return this.#write(() => saveWorkerId(this.db, this.tabKey, workerId));
  }

  saveStats(stats: WorkerStats): Promise<void> {
    return this.#write(() => saveStats(this.db, this.tabKey, stats));
  }

  saveLease(lease: TaskLease): Promise<void> {
    return this.#write(() => saveLease(this.db, this.tabKey, lease));
  }

  saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void> {
    return this.#write(() => saveCheckpoint(this.db, this.tabKey, leaseId, checkpoint));
  }

  finishLease(leaseId: string, report: TaskReport): Promise<void> {
    return this.#write(() => finishLease(this.db, this.tabKey, leaseId, report));
  }

  dropLease(leaseId: string): Promise<void> {
    return this.#write(() => dropLease(this.db, this.tabKey, leaseId));
  }

  acknowledge(leaseId: string): Promise<void> {
    return this.#write(() => acknowledge(this.db, this.tabKey, leaseId));
  }

  close(): void {
    this.db.close();
    this.lock.release();
  }

  #write(step: () => Promise<void>): Promise<void> {
    const next = this.#writes.then(step);
    this.#writes = next.catch(() => undefined);
    return next;
  }
}

/**
 * Opens the tab's store: the database, then the tab's identity (its own after a reload, a
 * closed tab's with work pending, or a new one; see `claimIdentity`).
 * @throws {StorageError} (one of its named kinds) when IndexedDB cannot be used
 * @example
 * const store = await openBrowserStore();
 * const saved = await store.load();
 */
export async function openBrowserStore(options: BrowserStoreOptions = {}): Promise<DexieWorkerStore> {
  const db = await openDatabase(options.name ?? VOLUNTEER_DATABASE, options.blockedGraceMs === undefined ? {} : { blockedGraceMs: options.blockedGraceMs });
  try {
    const { lock, source } = await claimIdentity(db, {
      session: options.session ?? pageSessionStorage(),
      locks: options.locks ?? (globalThis.navigator as Navigator | undefined)?.locks,
      reclaimWaitMs: options.reclaimWaitMs ?? 3000,
      newKey: () => crypto.randomUUID(),
    });
    return new DexieWorkerStore(db, lock, source, options.blobCacheBytes);
  } catch (error) {
    db.close();
    throw error;
  }
}
