import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asker, doubled, submitJob, useSchedulers, useTempDirs } from '../test-helpers.js';

// A coordinator restart: the new process rebuilds the scheduler from the store the last one wrote.

const LEASE_MS = 1_000;
const newTempDir = useTempDirs();
const { setUp } = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: 300 });

describe('Scheduler restart', () => {
  it('picks up where the last process stopped: leases kept, done tasks done, each item once', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1, 2, 3, 4, 5] });
    const l0 = await before.lease('w_1');
    const l1 = await before.lease('w_1');
    const l2 = await before.lease('w_2');
    await before.scheduler.complete('w_1', l0.leaseId, doubled(l0));
    // The process dies here: no close. A new process opens the same file.

    const after = await setUp({ path, clock: before.clock });
    expect(after.scheduler.liveJob(id)?.states()).toEqual(['done', 'leased', 'leased', 'ready', 'ready']);
    expect(after.scheduler.leasesOf('w_1').map((l) => l.leaseId)).toEqual([l1.leaseId]);
    expect((await after.scheduler.reattach('w_2', [l2.leaseId])).kept).toEqual([l2.leaseId]);
    expect(after.scheduler.queueDepth()).toBe(2);

    expect(await after.scheduler.complete('w_1', l1.leaseId, doubled(l1))).toBe('accepted');
    expect(await after.scheduler.complete('w_1', l0.leaseId, [999])).toBe('ignored');
    expect(await after.scheduler.complete('w_2', l2.leaseId, doubled(l2))).toBe('accepted');
    for (;;) {
      const next = await after.scheduler.leaseNext(asker('w_3'));
      if (!next) break;
      expect(next.taskIndex).toBeGreaterThanOrEqual(3);
      expect(await after.scheduler.complete('w_3', next.leaseId, doubled(next))).toBe('accepted');
    }

    expect((await after.store.getJob(id))?.state).toBe('COMPLETED');
    const outputs = await after.store.listOutputs(id);
    expect(outputs.flatMap((task) => task.output.map((output, i) => [task.firstItem + i, output]))).toEqual([
      [0, 2],
      [1, 4],
      [2, 6],
      [3, 8],
      [4, 10],
    ]);
  });

  it('lets the leases of a worker that never comes back lapse one lease period after the restart', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1] });
    const gone = await before.lease('w_gone');
    before.clock.advance(LEASE_MS * 5);

    const after = await setUp({ path, clock: before.clock });
    after.clock.advance(LEASE_MS - 1);
    await after.scheduler.sweep();
    expect(after.task(id, 0).state).toBe('leased');
    after.clock.advance(1);
    await after.scheduler.sweep();
    expect(after.task(id, 0)).toMatchObject({ state: 'ready', lapses: 1 });
    expect(after.revokes).toEqual([{ workerId: 'w_gone', leaseId: gone.leaseId, reason: 'lease lapsed' }]);
  });
});
