import { storageStep } from '../../worker/index.js';
import type { IdentityRow, VolunteerDatabase } from './schema.js';
import { lockTabKey, readTabKey, writeTabKey, type TabKeyStorage, type TabLock, type TabLocks } from './tab-lock.js';

/** How a tab came by its identity: its own from before a reload, a closed tab's, or a new one. */
export type IdentitySource = 'reloaded' | 'adopted' | 'new';

/** A tab's identity, claimed with its lock held. */
export interface ClaimedIdentity {
  lock: TabLock;
  row: IdentityRow;
  source: IdentitySource;
}

/** Where a tab finds its key and the locks that keep two tabs from sharing one. */
export interface IdentityPlace {
  session: TabKeyStorage | undefined;
  locks: TabLocks | undefined;
  /** How long a reloaded tab waits for its previous page to let go of its key. */
  reclaimWaitMs: number;
  newKey(): string;
}

/**
 * Claims this tab's identity: the one named by its `sessionStorage` key if no live tab holds
 * it (a reload); else the newest identity of a closed tab that still has work to hand in (a
 * lease or an unacknowledged report), so that work is not stranded; else a new one. Identities
 * of closed tabs with nothing pending are deleted on the way.
 * @example const { row, lock } = await claimIdentity(db, { session: sessionStorage, locks: navigator.locks, reclaimWaitMs: 3000, newKey: () => crypto.randomUUID() });
 */
export async function claimIdentity(db: VolunteerDatabase, place: IdentityPlace): Promise<ClaimedIdentity> {
  const claimed = (await reclaimOwn(db, place)) ?? (await adoptOrphan(db, place)) ?? (await createIdentity(db, place));
  writeTabKey(place.session, claimed.row.tabKey);
  await deleteIdleOrphans(db, place.locks, claimed.row.tabKey);
  return claimed;
}

async function reclaimOwn(db: VolunteerDatabase, place: IdentityPlace): Promise<ClaimedIdentity | undefined> {
  const tabKey = readTabKey(place.session);
  if (tabKey === undefined) return undefined;
  const lock = await lockTabKey(place.locks, tabKey, place.reclaimWaitMs);
  // Held by a live sibling: this tab is a duplicate, and must not share its worker.
  if (!lock) return undefined;
  const row = (await readIdentity(db, tabKey)) ?? (await insertIdentity(db, tabKey));
  return { lock, row, source: 'reloaded' };
}

async function adoptOrphan(db: VolunteerDatabase, place: IdentityPlace): Promise<ClaimedIdentity | undefined> {
  const rows = await storageStep('listing identities', () => db.identities.orderBy('updatedAt').reverse().toArray());
  for (const row of rows) {
    if (!(await hasPendingWork(db, row.tabKey))) continue;
    const lock = await lockTabKey(place.locks, row.tabKey);
    if (lock) return { lock, row, source: 'adopted' };
  }
  return undefined;
}

async function createIdentity(db: VolunteerDatabase, place: IdentityPlace): Promise<ClaimedIdentity> {
  const tabKey = place.newKey();
  const lock = await lockTabKey(place.locks, tabKey);
  if (!lock) throw new Error(`a fresh tab key ${tabKey} is already locked`);
  return { lock, row: await insertIdentity(db, tabKey), source: 'new' };
}

async function deleteIdleOrphans(db: VolunteerDatabase, locks: TabLocks | undefined, ownKey: string): Promise<void> {
  // Without Web Locks a live tab cannot be told from a closed one: delete nothing.
  if (!locks) return;
  const keys = await storageStep('listing identities', () => db.identities.toCollection().primaryKeys());
  for (const tabKey of keys) {
    if (tabKey === ownKey) continue;
    const lock = await lockTabKey(locks, tabKey);
    if (!lock) continue;
    try {
      if (!(await hasPendingWork(db, tabKey))) await storageStep('deleting an idle identity', () => db.identities.delete(tabKey));
    } finally {
      lock.release();
    }
  }
}

async function hasPendingWork(db: VolunteerDatabase, tabKey: string): Promise<boolean> {
  return storageStep('counting pending work', async () => {
    const leases = await db.leases.where('tabKey').equals(tabKey).count();
    return leases > 0 || (await db.outbox.where('tabKey').equals(tabKey).count()) > 0;
  });
}

function readIdentity(db: VolunteerDatabase, tabKey: string): Promise<IdentityRow | undefined> {
  return storageStep('reading the identity', () => db.identities.get(tabKey));
}

async function insertIdentity(db: VolunteerDatabase, tabKey: string): Promise<IdentityRow> {
  const row: IdentityRow = { tabKey, workerId: null, tasksDone: 0, computeMs: 0, updatedAt: Date.now() };
  await storageStep('creating the identity', () => db.identities.put(row));
  return row;
}
