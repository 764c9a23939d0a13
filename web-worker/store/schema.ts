import { Dexie, type EntityTable } from 'dexie';
import type { TaskLease } from '../../shared/index.js';

/** One tab's worker identity, keyed by the tab's key (see `claimTabKey`). */
export interface IdentityRow {
  tabKey: string;
  /** Null until the coordinator's first `welcome`. */
  workerId: string | null;
  tasksDone: number;
  computeMs: number;
  /** When the tab last used this identity (ms since the epoch): orphans are tried newest first. */
  updatedAt: number;
}

/** A lease a tab holds, with its latest checkpoint as JSON text. */
export interface LeaseRow {
  leaseId: string;
  tabKey: string;
  lease: TaskLease;
  checkpointJson: string | null;
  savedAt: number;
}

/** A finished report waiting for its `ack`; `seq` orders the outbox. */
export interface OutboxRow {
  seq?: number;
  leaseId: string;
  tabKey: string;
  reportJson: string;
  finishedAt: number;
}

/** What the blob cache knows of a blob without reading its bytes. */
export interface BlobIndexRow {
  sha: string;
  size: number;
  /** Last use, on the cache's own clock: larger is more recent, unique per use. */
  lastUsed: number;
}

export interface BlobBytesRow {
  sha: string;
  bytes: Uint8Array;
}

/** The database name the join page uses. */
export const VOLUNTEER_DATABASE = 'tabgrid-volunteer';

/**
 * The volunteer's IndexedDB database, one per origin (so one per coordinator), shared by every
 * tab of the browser. Each tab's rows carry its `tabKey`; blobs belong to all.
 *
 * Versions: add a `this.version(n + 1).stores({...})` for every change, never edit an old one.
 */
export class VolunteerDatabase extends Dexie {
  identities!: EntityTable<IdentityRow, 'tabKey'>;
  leases!: EntityTable<LeaseRow, 'leaseId'>;
  outbox!: EntityTable<OutboxRow, 'seq'>;
  blobIndex!: EntityTable<BlobIndexRow, 'sha'>;
  blobBytes!: EntityTable<BlobBytesRow, 'sha'>;

  constructor(name: string = VOLUNTEER_DATABASE) {
    // Opened by hand (see `openDatabase`), so that failures are translated in one place.
    super(name, { autoOpen: false });
    this.version(1).stores({
      identities: 'tabKey, updatedAt',
      leases: 'leaseId, tabKey',
      outbox: '++seq, &leaseId, tabKey',
      blobIndex: 'sha, lastUsed',
      blobBytes: 'sha',
    });
  }
}
