/** A named error as it crosses `page.evaluate`. */
export interface LabError {
  name: string;
  message: string;
  /** The name of the error's `cause`, when it has one. */
  causeName?: string;
}

/** How the lab opens a store. */
export interface LabOpenOptions {
  /** The database name: each test uses its own. */
  name: string;
  blobCacheBytes?: number;
  reclaimWaitMs?: number;
  blockedGraceMs?: number;
}

/** What opening a store answered. */
export type LabOpened =
  | { ok: true; tabKey: string; source: 'reloaded' | 'adopted' | 'new'; workerId: string | null; leases: string[]; outbox: string[] }
  | { ok: false; error: LabError };

/** What a resilient store says about itself. */
export interface LabResilience {
  durable: boolean;
  problem: LabError | null;
}

/** The rows of the database, by table, for checking what each tab wrote. */
export interface LabRows {
  identities: { tabKey: string; workerId: string | null }[];
  leases: { leaseId: string; tabKey: string; checkpoint: unknown }[];
  outbox: { leaseId: string; tabKey: string }[];
  blobs: string[];
}

/** `window.storeLab`: the volunteer store, driven from browser tests. */
export interface StoreLab {
  /** Opens the tab's store (claiming its identity) and keeps it as the current one. */
  open(options: LabOpenOptions): Promise<LabOpened>;
  /** Runs one of the store contract's scenarios against the current store. */
  scenario(name: string): Promise<LabError | null>;
  /** Runs the blob cache scenario against the current store's cache (opened with a 100-byte cap). */
  blobScenario(): Promise<LabError | null>;
  saveWorkerId(workerId: string): Promise<void>;
  /** Saves a test lease, and a checkpoint for it when given. */
  saveLease(leaseId: string, checkpoint?: unknown): Promise<void>;
  finishLease(leaseId: string): Promise<void>;
  /**
   * Asks in one turn for what a tab writes around one small task (`leaseId` held: its report
   * with the compute time, the acknowledgement with the result counted, the next lease
   * `nextLeaseId`), waits for all, and answers how many IndexedDB transactions they took.
   */
  oneTurnOfWrites(leaseId: string, nextLeaseId: string): Promise<number>;
  /** The current store's worker stats, read back from IndexedDB. */
  stats(): Promise<{ tasksDone: number; computeMs: number }>;
  /** Puts `length` bytes of `fill` under `sha256` in the current store's blob cache. */
  putBlob(sha256: string, length: number, fill: number): Promise<LabError | null>;
  /** The length of a cached blob, or null. */
  blobLength(sha256: string): Promise<number | null>;
  /** Opens the store as the join page does (falling back to memory), and puts a blob of `length` bytes. */
  resilientPut(options: LabOpenOptions, length: number): Promise<LabResilience>;
  /** Opens the store as the join page does and tells how it went. */
  resilientOpen(options: LabOpenOptions): Promise<LabResilience>;
  /** Opens `name` with the raw IndexedDB API at version 1 and keeps it open, ignoring `versionchange`. */
  holdOldVersion(name: string): Promise<void>;
  /** Every row of database `name`. */
  rows(name: string): Promise<LabRows>;
  /** Closes the current store (releasing the tab's claim). */
  close(): void;
}
