import type { TaskReport } from '../../worker/index.js';
import { storageStep } from '../../worker/index.js';
import type { OutboxRow, VolunteerDatabase } from './schema.js';
import type { OutboxEntry } from '../../worker/index.js';

/**
 * In one transaction: the lease leaves the tab's leases and its report joins the end of the
 * outbox (replacing an earlier report of the same lease), so a reload finds the one or the other.
 */
export function finishLease(db: VolunteerDatabase, tabKey: string, leaseId: string, report: TaskReport): Promise<void> {
  const row: OutboxRow = { leaseId, tabKey, reportJson: JSON.stringify(report), finishedAt: Date.now() };
  return storageStep('keeping a finished report', () =>
    db.transaction('rw', db.leases, db.outbox, async () => {
      await db.leases.where('leaseId').equals(leaseId).and((row) => row.tabKey === tabKey).delete();
      await db.outbox.where('leaseId').equals(leaseId).delete();
      await db.outbox.add(row);
    }),
  );
}

/** The coordinator acknowledged the report of `leaseId`: it leaves the outbox. */
export function acknowledge(db: VolunteerDatabase, tabKey: string, leaseId: string): Promise<void> {
  return storageStep('removing an acknowledged report', async () => {
    await db.outbox.where('leaseId').equals(leaseId).and((row) => row.tabKey === tabKey).delete();
  });
}

/** This tab's unacknowledged reports, in the order they were finished. */
export async function listOutbox(db: VolunteerDatabase, tabKey: string): Promise<OutboxEntry[]> {
  const rows = await storageStep('reading the outbox', () => db.outbox.where('tabKey').equals(tabKey).sortBy('seq'));
  return rows.map((row) => ({ leaseId: row.leaseId, report: JSON.parse(row.reportJson) as TaskReport, finishedAt: row.finishedAt }));
}
