import type { TaskReport } from '../../worker/index.js';
import { storageStep } from '../../worker/index.js';
import { deleteLease } from './leases.js';
import type { OutboxRow, VolunteerDatabase } from './schema.js';
import type { OutboxEntry } from '../../worker/index.js';

/**
 * Inside the store's transaction: the lease leaves the tab's leases and its report (as JSON text)
 * joins the end of the outbox, replacing the row `replacing` (an earlier report of the same lease),
 * so a reload finds the one or the other. Answers the new row's key.
 */
export async function finishLease(db: VolunteerDatabase, tabKey: string, leaseId: string, reportJson: string, replacing: number | undefined): Promise<number> {
  await deleteLease(db, tabKey, leaseId);
  if (replacing !== undefined) await db.outbox.delete(replacing);
  const row: OutboxRow = { leaseId, tabKey, reportJson, finishedAt: Date.now() };
  // `seq` is the auto-incremented key: add() always answers it.
  return (await db.outbox.add(row)) as number;
}

/** This tab's unacknowledged reports, in the order they were finished, and their rows' keys by lease. */
export async function readOutbox(db: VolunteerDatabase, tabKey: string): Promise<{ entries: OutboxEntry[]; keys: Map<string, number> }> {
  const rows = await storageStep('reading the outbox', () => db.outbox.where('tabKey').equals(tabKey).sortBy('seq'));
  return {
    entries: rows.map((row) => ({ leaseId: row.leaseId, report: JSON.parse(row.reportJson) as TaskReport, finishedAt: row.finishedAt })),
    keys: new Map(rows.map((row) => [row.leaseId, row.seq!])),
  };
}
