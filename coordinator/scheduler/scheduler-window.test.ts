import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asker, doubled, itemsOf, submitJob, useSchedulers, useTempDirs } from '../test-helpers.js';
import { WINDOW } from './live-job.js';

// A plain job holds only a window of its tasks: the rest stay in the store until asks come near them.

const newTempDir = useTempDirs();
const { setUp } = useSchedulers({ leaseMs: 1_000, disconnectGraceMs: 300 });

describe('Scheduler: a window of tasks', () => {
  it('leases every task of a job several windows long once, in order, holding at most a window of them, across a restart', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const items = Array.from({ length: Math.round(3.5 * WINDOW) }, (_, n) => n);
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items });
    const seen: number[] = [];
    const held = () => before.scheduler.liveJob(id)!.tasks.warmCount;
    for (let n = 0; n < 2 * WINDOW; n++) {
      const lease = await before.lease('w_1');
      seen.push(lease.taskIndex);
      expect(itemsOf(lease)).toEqual([lease.taskIndex]);
      expect(await before.scheduler.complete('w_1', lease.leaseId, doubled(lease))).toBe('accepted');
      expect(held()).toBeLessThanOrEqual(WINDOW);
    }
    const unfinished = await before.lease('w_2');
    // The process dies here; a new one opens the same file and holds the leased task and one window.
    const after = await setUp({ path, clock: before.clock });
    const job = after.scheduler.liveJob(id)!;
    expect(job.tasks.warmCount).toBeLessThanOrEqual(WINDOW + 1);
    expect(job.progress()).toMatchObject({ done: 2 * WINDOW, running: 1 });
    for (;;) {
      const lease = await after.scheduler.leaseNext(asker('w_3'));
      if (!lease) break;
      seen.push(lease.taskIndex);
      expect(await after.scheduler.complete('w_3', lease.leaseId, doubled(lease))).toBe('accepted');
    }
    expect(await after.scheduler.complete('w_2', unfinished.leaseId, doubled(unfinished))).toBe('accepted');
    seen.push(unfinished.taskIndex);
    expect(seen.sort((a, b) => a - b)).toEqual(items);
    expect((await after.store.getJob(id))?.state).toBe('COMPLETED');
    const outputs = (await after.store.listOutputs(id)).flatMap((task) => task.output);
    expect(outputs).toEqual(items.map((n) => n * 2));
  });
});
