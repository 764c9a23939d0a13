import type { TaskLease } from '../../shared/index.js';
import { storageStep } from '../../worker/index.js';
import type { LeaseRow, VolunteerDatabase } from './schema.js';
import type { SavedLease } from '../../worker/index.js';

/** Records a lease this tab holds; the checkpoint it came with (`restored`) is its first. */
export function saveLease(db: VolunteerDatabase, tabKey: string, lease: TaskLease): Promise<void> {
  const row: LeaseRow = {
    leaseId: lease.leaseId,
    tabKey,
    lease,
    checkpointJson: lease.restored === undefined ? null : JSON.stringify(lease.restored),
    savedAt: Date.now(),
  };
  return storageStep('saving a lease', async () => {
    await db.leases.put(row);
  });
}

/**
 * Replaces a lease's checkpoint (undefined: none), in a transaction that checks the lease is
 * still this tab's: a checkpoint that arrives after its task ended writes nothing.
 */
export function saveCheckpoint(db: VolunteerDatabase, tabKey: string, leaseId: string, checkpoint: unknown): Promise<void> {
  const checkpointJson = checkpoint === undefined ? null : JSON.stringify(checkpoint);
  return storageStep('saving a checkpoint', () =>
    db.transaction('rw', db.leases, async () => {
      const row = await db.leases.get(leaseId);
      if (row?.tabKey !== tabKey) return;
      await db.leases.update(leaseId, { checkpointJson, savedAt: Date.now() });
    }),
  );
}

/** Forgets a lease of this tab. */
export function dropLease(db: VolunteerDatabase, tabKey: string, leaseId: string): Promise<void> {
  return storageStep('dropping a lease', async () => {
    await db.leases.where('leaseId').equals(leaseId).and((row) => row.tabKey === tabKey).delete();
  });
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
