import type { TaskLease } from '../../shared/index.js';
import type { BlobCache, WorkerStore } from './store.js';

/**
 * What every {@link WorkerStore} must do, as scenarios that throw on the first difference. The
 * same scenarios run against the in-memory store under vitest and against IndexedDB in a real
 * browser (the store lab page, driven by `e2e/volunteer-store.spec.ts`).
 * @example for (const [name, scenario] of Object.entries(STORE_SCENARIOS)) await scenario(new MemoryWorkerStore());
 */
export const STORE_SCENARIOS: Readonly<Record<string, (store: WorkerStore) => Promise<void>>> = {
  'a lease is kept with its latest checkpoint, and dropped': async (store) => {
    const lease = testLease('l-1', { restored: { user: 'from the coordinator' } });
    await store.saveLease(lease);
    expectEqual((await store.load()).leases, [{ lease, checkpoint: { user: 'from the coordinator' } }], 'saved lease');
    await store.saveCheckpoint('l-1', { items: { done: 1, outputs: [7] }, user: { step: 2 } });
    await store.saveCheckpoint('l-unknown', { user: 'nobody holds this' });
    expectEqual((await store.load()).leases, [{ lease, checkpoint: { items: { done: 1, outputs: [7] }, user: { step: 2 } } }], 'checkpointed lease');
    await store.dropLease('l-1');
    expectEqual((await store.load()).leases, [], 'leases after drop');
  },

  'finished reports wait in the outbox in order until acknowledged': async (store) => {
    for (const id of ['l-1', 'l-2', 'l-3']) await store.saveLease(testLease(id));
    await store.finishLease('l-2', { type: 'result', leaseId: 'l-2', outputs: [2] });
    await store.finishLease('l-1', { type: 'fail', leaseId: 'l-1', error: { message: 'boom' } });
    await store.finishLease('l-3', { type: 'result', leaseId: 'l-3', outputs: [3] });
    const saved = await store.load();
    expectEqual(saved.leases, [], 'leases once finished');
    expectEqual(saved.outbox.map((entry) => entry.leaseId), ['l-2', 'l-1', 'l-3'], 'outbox order');
    expectEqual(saved.outbox[1]?.report, { type: 'fail', leaseId: 'l-1', error: { message: 'boom' } }, 'a failure report');
    await store.acknowledge('l-1');
    await store.acknowledge('l-unknown');
    expectEqual((await store.load()).outbox.map((entry) => entry.leaseId), ['l-2', 'l-3'], 'outbox after ack');
    await store.finishLease('l-2', { type: 'result', leaseId: 'l-2', outputs: ['again'] });
    const again = (await store.load()).outbox;
    expectEqual(again.map((entry) => entry.leaseId), ['l-3', 'l-2'], 'a report finished again moves to the end');
    expectEqual(again[1]?.report, { type: 'result', leaseId: 'l-2', outputs: ['again'] }, 'the latest report wins');
  },

  'the worker id and stats are kept': async (store) => {
    await store.saveWorkerId('w-42');
    await store.saveStats({ tasksDone: 5, computeMs: 1234.5 });
    const saved = await store.load();
    expectEqual([saved.workerId, saved.stats], ['w-42', { tasksDone: 5, computeMs: 1234.5 }], 'identity');
  },
};

/**
 * A blob cache with a cap of {@link BLOB_SCENARIO_CAP} bytes evicts the least recently used
 * blob, a read counting as a use, and never keeps a blob larger than the cap.
 */
export async function blobCacheScenario(cache: BlobCache): Promise<void> {
  const [a, b, c, big] = ['a', 'b', 'c', 'd'].map((letter) => letter.repeat(64)) as [string, string, string, string];
  await cache.put(a, bytes(40, 1));
  await cache.put(b, bytes(40, 2));
  expectEqual(await cache.get(a), bytes(40, 1), 'a read back');
  await cache.put(c, bytes(40, 3));
  expectEqual(await cache.get(b), undefined, 'b, least recently used, evicted');
  expectEqual([(await cache.get(a))?.length, (await cache.get(c))?.length], [40, 40], 'a and c kept');
  await cache.put(big, bytes(BLOB_SCENARIO_CAP + 1, 4));
  expectEqual(await cache.get(big), undefined, 'a blob over the cap is not kept');
  expectEqual((await cache.get(a))?.length, 40, 'and evicts nothing');
}

/** The cap {@link blobCacheScenario} expects its cache to have, in bytes. */
export const BLOB_SCENARIO_CAP = 100;

/** A lease for scenarios. */
export function testLease(leaseId: string, overrides: Partial<TaskLease> = {}): TaskLease {
  return {
    type: 'lease',
    leaseId,
    jobId: 'job-1',
    jobName: 'scenario',
    taskIndex: 0,
    attempt: 1,
    code: 'a'.repeat(64),
    input: { kind: 'items', firstItem: 0, items: [1, 2] },
    ...overrides,
  };
}

function bytes(length: number, fill: number): Uint8Array {
  return new Uint8Array(length).fill(fill);
}

/** Throws unless `actual` and `expected` are the same JSON-like value (bytes compared by content). */
export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  const shown = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? `bytes(${Array.from(v).join(',')})` : v)) ?? 'undefined';
  if (shown(actual) !== shown(expected)) throw new Error(`${what}: expected ${shown(expected)}, got ${shown(actual)}`);
}
