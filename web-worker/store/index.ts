/**
 * The volunteer's store: what a worker keeps about itself (identity, leases with their latest
 * checkpoints, an outbox of finished reports) and the blob cache shared by all tabs. In the
 * browser it is IndexedDB through Dexie, one set of rows per tab; under Node, memory.
 * @example
 * const { store, saved } = await openVolunteerStore();
 * const client = new WorkerClient({ ...options, store, restore: saved });
 */
export type { BlobCache, OutboxEntry, SavedLease, SavedWorkerState, WorkerStats, WorkerStore } from '../../worker/index.js';
export { emptySavedState } from '../../worker/index.js';
export { DEFAULT_BLOB_CACHE_BYTES, MemoryBlobCache, MemoryWorkerStore } from '../../worker/index.js';
export { DexieWorkerStore, openBrowserStore, type BrowserStoreOptions } from './dexie-store.js';
export { DexieBlobCache } from './blob-cache.js';
export { ResilientStore, openVolunteerStore, type DegradedListener, type OpenedVolunteerStore } from './resilient.js';
export { VOLUNTEER_DATABASE, VolunteerDatabase } from './schema.js';
export type { IdentitySource } from './identity.js';
export {
  StorageError,
  StorageQuotaError,
  StorageUnavailableError,
  StorageUpgradeError,
  isStorageError,
  isStorageQuotaError,
  isStorageUnavailableError,
  isStorageUpgradeError,
  toStorageError,
} from '../../worker/index.js';
