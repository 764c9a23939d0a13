import type { TaskLease } from '../../shared/index.js';
import type { TaskReport } from '../../worker/index.js';
import { DexieBlobCache } from './blob-cache.js';
import { storageStep } from '../../worker/index.js';
import { claimIdentity, type IdentitySource } from './identity.js';
import { checkpointText, deleteLease, leaseRow, listLeases, replaceCheckpoint } from './leases.js';
import { DEFAULT_BLOB_CACHE_BYTES } from '../../worker/index.js';
import { openDatabase } from './open-database.js';
import { finishLease, readOutbox } from './outbox.js';
import { VOLUNTEER_DATABASE, type IdentityRow, type VolunteerDatabase } from './schema.js';
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

/** A write waiting for the store's next commit. */
interface QueuedWrite {
  /** Its requests, made inside the commit's transaction; none for a change of the identity alone. */
  step?: () => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The tab's {@link WorkerStore} in IndexedDB (Dexie): its rows are keyed by its tab key, claimed
 * with a Web Lock so that sibling tabs never share them. Writes are committed in the order they
 * were asked for, so a checkpoint never lands after its task's report; those asked for while a
 * commit is under way go together into the next one (a task's report and the stats it changed,
 * an acknowledgement and the next lease), each answered once its commit is done. A tab's
 * IndexedDB traffic is most of what it spends on a small task, and a transaction costs more than
 * a request. A write whose commit fails fails with the others of that commit: IndexedDB failures
 * (quota, a closed database) fail every write alike, and text is made from values (JSON) before
 * a write is queued, so no one write's bad value fails the others.
 */
export class DexieWorkerStore implements WorkerStore {
  readonly durable = true;
  readonly blobs: DexieBlobCache;
  /** The tab's identity row as this store last wrote it (the tab's lock keeps others from it). */
  #identity: IdentityRow;
  #identityChanged = false;
  /** The keys of this tab's outbox rows by lease, as `load` read them (or the first write that needs them). */
  #outboxKeys: Map<string, number> | undefined;
  #queue: QueuedWrite[] = [];
  #committing = false;

  constructor(
    readonly db: VolunteerDatabase,
    private readonly lock: TabLock,
    /** How this tab came by its identity. */
    readonly source: IdentitySource,
    identity: IdentityRow,
    blobCacheBytes: number = DEFAULT_BLOB_CACHE_BYTES,
  ) {
    this.blobs = new DexieBlobCache(db, blobCacheBytes);
    this.#identity = identity;
  }

  get tabKey(): string {
    return this.lock.tabKey;
  }

  async load(): Promise<SavedWorkerState> {
    const { db, tabKey } = this;
    const identity = await storageStep('reading the identity', () => db.identities.get(tabKey));
    if (identity) this.#identity = identity;
    const leases = await listLeases(db, tabKey);
    const outbox = await readOutbox(db, tabKey);
    this.#outboxKeys = outbox.keys;
    const saved: SavedWorkerState = {
      leases,
      outbox: outbox.entries,
      stats: { tasksDone: identity?.tasksDone ?? 0, computeMs: identity?.computeMs ?? 0 },
    };
    if (identity?.workerId) saved.workerId = identity.workerId;
    return saved;
  }

  saveWorkerId(workerId: string): Promise<void> {
    return this.#changeIdentity({ workerId });
  }

  saveStats(stats: WorkerStats): Promise<void> {
    return this.#changeIdentity({ tasksDone: stats.tasksDone, computeMs: stats.computeMs });
  }

  saveLease(lease: TaskLease): Promise<void> {
    const row = leaseRow(this.tabKey, lease);
    return this.#write(async () => {
      await this.db.leases.put(row);
    });
  }

  saveCheckpoint(leaseId: string, checkpoint: unknown): Promise<void> {
    const checkpointJson = checkpointText(checkpoint);
    return this.#write(() => replaceCheckpoint(this.db, this.tabKey, leaseId, checkpointJson));
  }

  finishLease(leaseId: string, report: TaskReport): Promise<void> {
    const reportJson = JSON.stringify(report);
    return this.#write(async () => {
      const keys = await this.#readOutboxKeys();
      keys.set(leaseId, await finishLease(this.db, this.tabKey, leaseId, reportJson, keys.get(leaseId)));
    });
  }

  dropLease(leaseId: string): Promise<void> {
    return this.#write(() => deleteLease(this.db, this.tabKey, leaseId));
  }

  acknowledge(leaseId: string): Promise<void> {
    return this.#write(async () => {
      const keys = await this.#readOutboxKeys();
      const key = keys.get(leaseId);
      if (key === undefined) return;
      await this.db.outbox.delete(key);
      keys.delete(leaseId);
    });
  }

  close(): void {
    this.db.close();
    this.lock.release();
  }

  async #readOutboxKeys(): Promise<Map<string, number>> {
    this.#outboxKeys ??= (await readOutbox(this.db, this.tabKey)).keys;
    return this.#outboxKeys;
  }

  #changeIdentity(changes: Partial<IdentityRow>): Promise<void> {
    this.#identity = { ...this.#identity, ...changes };
    this.#identityChanged = true;
    return this.#write(undefined);
  }

  #write(step: (() => Promise<void>) | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push(step ? { step, resolve, reject } : { resolve, reject });
      if (this.#committing) return;
      this.#committing = true;
      // Writes asked for in the same turn share the first commit too.
      queueMicrotask(() => void this.#commitQueued());
    });
  }

  /** Commits what is queued, one transaction after another, until nothing is. */
  async #commitQueued(): Promise<void> {
    const { db } = this;
    while (this.#queue.length > 0) {
      const writes = this.#queue.splice(0);
      const identity = this.#identityChanged ? { ...this.#identity, updatedAt: Date.now() } : undefined;
      this.#identityChanged = false;
      try {
        await storageStep('keeping the tab\'s work', () =>
          db.transaction('rw', db.identities, db.leases, db.outbox, async () => {
            for (const write of writes) await write.step?.();
            if (identity) await db.identities.put(identity);
          }),
        );
        for (const write of writes) write.resolve();
      } catch (error) {
        // A later commit writes the identity as it is by then.
        if (identity) this.#identityChanged = true;
        this.#outboxKeys = undefined;
        for (const write of writes) write.reject(error);
      }
    }
    this.#committing = false;
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
    const { lock, row, source } = await claimIdentity(db, {
      session: options.session ?? pageSessionStorage(),
      locks: options.locks ?? (globalThis.navigator as Navigator | undefined)?.locks,
      reclaimWaitMs: options.reclaimWaitMs ?? 3000,
      newKey: () => crypto.randomUUID(),
    });
    return new DexieWorkerStore(db, lock, source, row, options.blobCacheBytes);
  } catch (error) {
    db.close();
    throw error;
  }
}
