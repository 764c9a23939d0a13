import { describe, expect, it } from 'vitest';
import type { Store } from '../store/index.js';
import { doubled, submitJob, useSchedulers } from '../test-helpers.js';

// Every task by state across all jobs, as the stats show it: kept as tasks move, the store's
// tasks read once, and the same figures the store has at every step (a retry and a restart too).

const { openStore, setUp } = useSchedulers({ leaseMs: 60_000, disconnectGraceMs: 1_000 });
const ONE_TRY = { retry: { maxAttempts: 1, distinctWorkers: 1 } };

/** The store's own count, summed over every job: what the kept counts must equal. */
async function storeTotals(store: Store): Promise<Record<string, number>> {
  const totals: Record<string, number> = { blocked: 0, ready: 0, leased: 0, done: 0, failed: 0, cancelled: 0 };
  for (const counts of (await store.countTasks()).values()) for (const [state, count] of Object.entries(counts)) totals[state]! += count;
  return totals;
}

/** The store, and how many times its tasks were counted. */
function countingReads(store: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const counted = Object.create(store) as Store;
  counted.countTasks = (...args) => {
    reads += 1;
    return store.countTasks(...args);
  };
  return { store: counted, reads: () => reads };
}

describe('Scheduler.taskCounts', () => {
  it('keeps every task by state as jobs run, end, fail and are retried, reading the store once', async () => {
    const raw = await openStore();
    const { store, reads } = countingReads(raw);
    const { scheduler, lease } = await setUp({ store });
    const check = async (): Promise<void> => {
      await scheduler.flushLogs();
      expect(await scheduler.taskCounts()).toEqual(await storeTotals(raw));
    };
    const done = await submitJob(scheduler, store, { items: [1, 2] });
    await check();
    for (const index of [0, 1]) {
      const next = await lease('w_1');
      expect([next.jobId, next.taskIndex]).toEqual([done.id, index]);
      await scheduler.complete('w_1', next.leaseId, doubled(next));
    }
    await check();
    const failing = await submitJob(scheduler, store, { items: [1, 2, 3], ...ONE_TRY });
    const first = await lease('w_1');
    await scheduler.fail('w_1', first.leaseId, { message: 'boom' });
    const cancelled = await submitJob(scheduler, store, { items: [1, 2, 3, 4] });
    expect((await store.getJob(failing.id))?.state).toBe('FAILED');
    await check();
    await scheduler.cancel(cancelled.id);
    await check();
    expect(await scheduler.taskCounts()).toEqual({ blocked: 0, ready: 0, leased: 0, done: 2, failed: 1, cancelled: 6 });

    await scheduler.retry(failing.id);
    await check();
    expect(await scheduler.taskCounts()).toMatchObject({ ready: 3, failed: 0, cancelled: 4 });
    // The store's tasks were read for the ended jobs once, and once more after the retry.
    expect(reads()).toBe(2);
  });
});
