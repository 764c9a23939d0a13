import type { TaskLease } from '../../shared/index.js';
import { storageStep } from '../../worker/index.js';
import type { LeaseRow, VolunteerDatabase } from './schema.js';
import type { SavedLease } from '../../worker/index.js';

// The writes here run inside the store's transaction (see `DexieWorkerStore`): each is a few
// requests, and the store commits the writes asked for together in one transaction.

/** A checkpoint as the lease row keeps it: JSON text, null for none. */
export function checkpointText(checkpoint: unknown): string | null {
  return checkpoint === undefined ? null : JSON.stringify(checkpoint);
}

/** A lease row this tab holds; the checkpoint it came with (`restored`) is its first. */
export function leaseRow(tabKey: string, lease: TaskLease): LeaseRow {
  return {
    leaseId: lease.leaseId,
    tabKey,
    lease,
    checkpointJson: checkpointText(lease.restored),
    savedAt: Date.now(),
  };
}

/** Replaces a lease's checkpoint (null: none), if the lease is still this tab's: a checkpoint that arrives after its task ended writes nothing. */
export async function replaceCheckpoint(db: VolunteerDatabase, tabKey: string, leaseId: string, checkpointJson: string | null): Promise<void> {
  const row = await db.leases.get(leaseId);
  if (row?.tabKey !== tabKey) return;
  await db.leases.put({ ...row, checkpointJson, savedAt: Date.now() });
}

/** Forgets a lease of this tab (another tab's row of the same id is left alone). */
export async function deleteLease(db: VolunteerDatabase, tabKey: string, leaseId: string): Promise<void> {
  const row = await db.leases.get(leaseId);
  if (row?.tabKey === tabKey) await db.leases.delete(leaseId);
}

/** This tab's leases, oldest first, with their checkpoints read back. */
export async function listLeases(db: VolunteerDatabase, tabKey: string): Promise<SavedLease[]> {
  const rows = await storageStep('reading leases', () => db.leases.where('tabKey').equals(tabKey).sortBy('savedAt'));
  return rows.map((row) => {
    const saved: SavedLease = { lease: row.lease };
    if (row.checkpointJson !== null) saved.checkpoint = JSON.parse(row.checkpointJson) as unknown;
    return saved;
  });
}
