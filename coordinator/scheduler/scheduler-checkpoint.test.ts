import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_BACKOFF, submitJob, useSchedulers, useTempDirs } from '../test-helpers.js';

// Checkpoints: stored per task, handed to the next attempt as `restored`, kept across restarts.

const LEASE_MS = 1_000;
const { setUp } = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: 300 });
const newTempDir = useTempDirs();

describe('Scheduler checkpoints', () => {
  it('stores the latest checkpoint and hands it to the next attempt after a failure', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1], retry: NO_BACKOFF });
    const first = await lease('w_1');
    expect(first).not.toHaveProperty('restored');
    expect(await scheduler.checkpoint('w_1', first.leaseId, { step: 1 })).toEqual({ status: 'stored' });
    expect(await scheduler.checkpoint('w_1', first.leaseId, { step: 2, partial: [1, 'two'] })).toEqual({ status: 'stored' });
    expect(task(id, 0).checkpoint).toEqual({ step: 2, partial: [1, 'two'] });
    expect((await store.listTasks(id))[0]?.checkpoint).toEqual({ step: 2, partial: [1, 'two'] });

    await scheduler.fail('w_1', first.leaseId, { message: 'crashed mid-way' });
    const second = await lease('w_2');
    expect(second).toMatchObject({ attempt: 2, restored: { step: 2, partial: [1, 'two'] } });
  });

  it('hands the checkpoint to another worker after the lease lapsed, and ignores the stale lease', async () => {
    const { scheduler, store, lease, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const first = await lease('w_1');
    await scheduler.checkpoint('w_1', first.leaseId, 'halfway');
    clock.advance(LEASE_MS);
    await scheduler.sweep();

    const second = await lease('w_2');
    expect(second).toMatchObject({ attempt: 2, restored: 'halfway' });
    expect(await scheduler.checkpoint('w_1', first.leaseId, 'from the old lease')).toEqual({ status: 'ignored' });
    expect(await scheduler.checkpoint('w_3', second.leaseId, 'not the holder')).toEqual({ status: 'ignored' });
    expect(await scheduler.checkpoint('w_2', 'lease_unknown', 'no such lease')).toEqual({ status: 'ignored' });
    expect((await store.listTasks(id))[0]?.checkpoint).toBe('halfway');
  });

  it('refuses a checkpoint over the limit, naming it, and keeps the last stored one', async () => {
    const { scheduler, store, lease } = await setUp({ maxCheckpointBytes: 100 });
    const { id } = await submitJob(scheduler, store, { items: [1], retry: NO_BACKOFF });
    const first = await lease('w_1');
    expect(await scheduler.checkpoint('w_1', first.leaseId, { small: true })).toEqual({ status: 'stored' });
    // JSON of exactly 100 bytes is still taken; 101 is not.
    expect(await scheduler.checkpoint('w_1', first.leaseId, 'x'.repeat(98))).toEqual({ status: 'stored' });
    const refused = await scheduler.checkpoint('w_1', first.leaseId, 'y'.repeat(99));
    expect(refused).toEqual({ status: 'refused', reason: expect.stringContaining('limit of 100') as string });
    expect(refused).toMatchObject({ reason: expect.stringContaining('101 bytes') as string });
    expect((await store.listTasks(id))[0]?.checkpoint).toBe('x'.repeat(98));

    await scheduler.fail('w_1', first.leaseId, { message: 'again' });
    expect((await lease('w_2')).restored).toBe('x'.repeat(98));
  });

  it('ignores a checkpoint for a task already done or of a job cancelled', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2] });
    const done = await lease('w_1');
    await scheduler.complete('w_1', done.leaseId, [2]);
    expect(await scheduler.checkpoint('w_1', done.leaseId, 'late')).toEqual({ status: 'ignored' });
    const running = await lease('w_1');
    await scheduler.cancel(id);
    expect(await scheduler.checkpoint('w_1', running.leaseId, 'late')).toEqual({ status: 'ignored' });
    expect((await store.listTasks(id)).map((task) => task.checkpoint)).toEqual([undefined, undefined]);
  });

  it('keeps a checkpoint across a coordinator restart, for the attempt after the lapse', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1] });
    const first = await before.lease('w_1');
    expect(await before.scheduler.checkpoint('w_1', first.leaseId, { epoch: 7 })).toEqual({ status: 'stored' });
    // The process dies; w_1 never comes back.

    const after = await setUp({ path, clock: before.clock });
    expect(after.task(id, 0).checkpoint).toEqual({ epoch: 7 });
    // The recovered lease is still w_1's: its checkpoints still count until it lapses.
    expect(await after.scheduler.checkpoint('w_1', first.leaseId, { epoch: 8 })).toEqual({ status: 'stored' });
    after.clock.advance(LEASE_MS);
    await after.scheduler.sweep();
    expect(await after.lease('w_2')).toMatchObject({ attempt: 2, restored: { epoch: 8 } });
  });
});
