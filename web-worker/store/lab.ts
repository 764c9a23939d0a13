/**
 * The volunteer store lab page: exposes the IndexedDB store as `window.storeLab` for the browser
 * tests (`e2e/volunteer-store.spec.ts`), which need a real IndexedDB, real Web Locks and real
 * tabs of one browser.
 */
import { openBrowserStore, type BrowserStoreOptions, type DexieWorkerStore } from './dexie-store.js';
import { openVolunteerStore } from './resilient.js';
import { blobCacheScenario, STORE_SCENARIOS, testLease } from '../../worker/testing.js';
import { VolunteerDatabase } from './schema.js';
import type { LabError, LabOpenOptions, LabResilience, LabRows, StoreLab } from './lab-protocol.js';

declare global {
  interface Window {
    storeLab: StoreLab;
  }
}

let current: DexieWorkerStore | undefined;

// Every IndexedDB transaction the page makes is counted (Dexie binds this method when it opens a
// database, so it is wrapped before any store opens).
let transactions = 0;
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own `this` below
const transaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
  transactions += 1;
  return transaction.apply(this, args);
};
const held: IDBDatabase[] = [];

function store(): DexieWorkerStore {
  if (!current) throw new Error('open a store first');
  return current;
}

function labError(error: unknown): LabError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const found: LabError = { name: error.name, message: error.message };
  const { cause } = error;
  if (typeof cause === 'object' && cause !== null && 'name' in cause && typeof cause.name === 'string') found.causeName = cause.name;
  return found;
}

async function attempt(step: () => Promise<unknown>): Promise<LabError | null> {
  try {
    await step();
    return null;
  } catch (error) {
    return labError(error);
  }
}

function storeOptions(options: LabOpenOptions): BrowserStoreOptions {
  const { name, blobCacheBytes, reclaimWaitMs, blockedGraceMs } = options;
  return {
    name,
    ...(blobCacheBytes === undefined ? {} : { blobCacheBytes }),
    ...(reclaimWaitMs === undefined ? {} : { reclaimWaitMs }),
    ...(blockedGraceMs === undefined ? {} : { blockedGraceMs }),
  };
}

async function resilience(options: LabOpenOptions, use?: (opened: Awaited<ReturnType<typeof openVolunteerStore>>) => Promise<void>): Promise<LabResilience> {
  const opened = await openVolunteerStore(storeOptions(options));
  await use?.(opened);
  const { problem } = opened.store;
  return { durable: opened.store.durable, problem: problem ? labError(problem) : null };
}

window.storeLab = {
  async open(options) {
    try {
      current = await openBrowserStore(storeOptions(options));
      const saved = await current.load();
      return {
        ok: true,
        tabKey: current.tabKey,
        source: current.source,
        workerId: saved.workerId ?? null,
        leases: saved.leases.map((lease) => lease.lease.leaseId),
        outbox: saved.outbox.map((entry) => entry.leaseId),
      };
    } catch (error) {
      return { ok: false, error: labError(error) };
    }
  },
  scenario: (name) =>
    attempt(async () => {
      const scenario = STORE_SCENARIOS[name];
      if (!scenario) throw new Error(`no scenario ${name}`);
      await scenario(store());
    }),
  blobScenario: () => attempt(() => blobCacheScenario(store().blobs)),
  saveWorkerId: (workerId) => store().saveWorkerId(workerId),
  async saveLease(leaseId, checkpoint) {
    await store().saveLease(testLease(leaseId));
    if (checkpoint !== undefined) await store().saveCheckpoint(leaseId, checkpoint);
  },
  finishLease: (leaseId) => store().finishLease(leaseId, { type: 'result', leaseId, outputs: [leaseId] }),
  async oneTurnOfWrites(leaseId, nextLeaseId) {
    const opened = store();
    const before = transactions;
    await Promise.all([
      opened.saveStats({ tasksDone: 0, computeMs: 5 }),
      opened.finishLease(leaseId, { type: 'result', leaseId, outputs: [leaseId] }),
      opened.acknowledge(leaseId),
      opened.saveStats({ tasksDone: 1, computeMs: 5 }),
      opened.saveLease(testLease(nextLeaseId)),
    ]);
    return transactions - before;
  },
  stats: async () => (await store().load()).stats,
  putBlob: (sha256, length, fill) => attempt(() => store().blobs.put(sha256, new Uint8Array(length).fill(fill))),
  async blobLength(sha256) {
    return (await store().blobs.get(sha256))?.length ?? null;
  },
  resilientPut: (options, length) =>
    resilience(options, async ({ store: opened }) => {
      await opened.blobs.put('e'.repeat(64), new Uint8Array(length).fill(7));
      await opened.saveWorkerId('after the put');
    }),
  resilientOpen: (options) => resilience(options),
  holdOldVersion: (name) =>
    new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onsuccess = () => {
        held.push(request.result);
        resolve();
      };
      request.onerror = () => reject(request.error ?? new Error('could not open'));
    }),
  async rows(name): Promise<LabRows> {
    const db = new VolunteerDatabase(name);
    await db.open();
    try {
      return {
        identities: (await db.identities.toArray()).map(({ tabKey, workerId }) => ({ tabKey, workerId })),
        leases: (await db.leases.toArray()).map(({ leaseId, tabKey, checkpointJson }) => ({
          leaseId,
          tabKey,
          checkpoint: checkpointJson === null ? null : (JSON.parse(checkpointJson) as unknown),
        })),
        outbox: (await db.outbox.orderBy('seq').toArray()).map(({ leaseId, tabKey }) => ({ leaseId, tabKey })),
        blobs: await db.blobIndex.orderBy('lastUsed').primaryKeys(),
      };
    } finally {
      db.close();
    }
  },
  close() {
    current?.close();
    current = undefined;
  },
};
