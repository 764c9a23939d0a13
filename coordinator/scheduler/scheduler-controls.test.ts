import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../../shared/index.js';
import { asker, doubled, recording, submitJob, useSchedulers, useTempDirs } from '../test-helpers.js';

// An admin's controls of a job in the scheduler: a failed job retried, a new priority, debug mode
// switched on and off; and the start and end times a job keeps.

const { openStore, setUp } = useSchedulers({ leaseMs: 60_000, disconnectGraceMs: 1_000 });
const newTempDir = useTempDirs();
const ONE_TRY = { retry: { maxAttempts: 1, distinctWorkers: 1 } };

describe('Scheduler: a failed job retried', () => {
  it('puts its failed and cancelled tasks back (blocked behind an undone predecessor) in one transaction, and runs it to the end', async () => {
    const { store, commits } = recording(await openStore());
    const { scheduler, lease } = await setUp({ store });
    // Item 1 waits for item 0; item 2 is done before item 0 fails the job.
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3, 4], dependencies: [[0, 1]], ...ONE_TRY });
    const dependent = await submitJob(scheduler, store, { items: [5], dependsOn: [id] });
    const first = await lease('w_1');
    const done = await lease('w_1');
    expect([first.taskIndex, done.taskIndex]).toEqual([0, 2]);
    await scheduler.complete('w_1', done.leaseId, doubled(done));
    await scheduler.fail('w_1', first.leaseId, { message: 'boom' });
    expect(await store.getJobSummary(id)).toMatchObject({ state: 'FAILED', error: { message: 'boom', taskIndex: 0 }, finalCounts: { done: 1, failed: 1 } });
    expect((await store.listTasks(id)).map((task) => task.state)).toEqual(['failed', 'cancelled', 'done', 'cancelled']);

    const before = commits.length;
    expect(await scheduler.retry(id)).toBe(3);
    // One commit: the tasks back, the job PENDING without its error or end, and the event.
    expect(commits.length).toBe(before + 1);
    const retry = commits.at(-1) ?? [];
    expect(retry.find((change) => change.type === 'updateTask')).toMatchObject({ jobId: id, index: 1, patch: { state: 'blocked', failures: 0 } });
    expect(retry).toContainEqual({ type: 'moveTasks', jobId: id, from: ['failed', 'cancelled'], to: 'ready', fresh: true });
    expect(retry).toContainEqual({ type: 'updateJob', id, patch: { state: 'PENDING', error: null, endedAt: null, finalCounts: null } });
    expect(retry.find((change) => change.type === 'appendEvent')).toMatchObject({
      event: { jobId: id, from: 'FAILED', to: 'PENDING', reason: 'retrying 3 failed tasks (by an admin)' },
    });

    const live = scheduler.liveJob(id)!;
    expect(live.record).toMatchObject({ state: 'PENDING', error: null });
    expect(live.states()).toEqual(['ready', 'blocked', 'done', 'ready']);
    const stored = await store.listTasks(id);
    expect(stored[0]).toMatchObject({ state: 'ready', failures: 0, attempts: 1, error: null, failedOn: [], excluded: [] });
    const summary = await store.getJobSummary(id);
    expect(summary).toMatchObject({ state: 'PENDING', error: null });
    expect(summary?.finalCounts).toBeUndefined();
    expect(summary?.endedAt).toBeUndefined();

    // It leases as any job: task 0 first (it is tried again, attempt 2), then task 1 it freed.
    const ran: number[] = [];
    for (let next = await scheduler.leaseNext(asker('w_1')); next; next = await scheduler.leaseNext(asker('w_1'))) {
      if (next.jobId !== id) throw new Error(`leased a task of ${next.jobId}`);
      ran.push(next.taskIndex);
      await scheduler.complete('w_1', next.leaseId, doubled(next));
    }
    expect(ran.sort()).toEqual([0, 1, 3]);
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
    expect((await store.listOutputs(id)).flatMap((task) => task.output)).toEqual([2, 4, 6, 8]);
    // A job that failed because it failed stays failed.
    expect((await store.getJob(dependent.id))?.state).toBe('FAILED');
  });

  it('retries only a FAILED job: a live one, an ended one of another kind, or none is refused', async () => {
    const { scheduler, store, lease } = await setUp();
    const live = await submitJob(scheduler, store, { items: [1] });
    expect(await scheduler.retry(live.id)).toBeUndefined();
    const granted = await lease('w_1');
    await scheduler.complete('w_1', granted.leaseId, doubled(granted));
    expect((await store.getJob(live.id))?.state).toBe('COMPLETED');
    expect(await scheduler.retry(live.id)).toBeUndefined();
    expect(await scheduler.retry('job_none')).toBeUndefined();
    expect((await store.listJobEvents(live.id)).at(-1)?.to).toBe('COMPLETED');
  });

  it('loads a retried job again after a restart as it was left: PENDING, its tasks ready', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1, 2], ...ONE_TRY });
    const granted = await before.lease('w_1');
    await before.scheduler.fail('w_1', granted.leaseId, { message: 'boom' });
    expect(await before.scheduler.retry(id)).toBe(2);

    const after = await setUp({ path, clock: before.clock });
    expect(after.scheduler.liveJob(id)?.states()).toEqual(['ready', 'ready']);
    expect(after.scheduler.liveJob(id)?.record.state).toBe('PENDING');
  });
});

describe('Scheduler: priority and run mode set by an admin', () => {
  it('gives the next ask the task of the job whose priority was raised, and keeps the priority in the store', async () => {
    const { scheduler, store, lease } = await setUp();
    const older = await submitJob(scheduler, store, { items: [1, 2] });
    const newer = await submitJob(scheduler, store, { items: [3, 4] });
    expect((await lease('w_1')).jobId).toBe(older.id);
    expect(await scheduler.setPriority(newer.id, 5)).toBe(true);
    expect((await lease('w_1')).jobId).toBe(newer.id);
    expect((await lease('w_1')).jobId).toBe(newer.id);
    expect((await lease('w_1')).jobId).toBe(older.id);
    expect((await store.getJob(newer.id))?.priority).toBe(5);
    expect(await scheduler.setPriority('job_none', 5)).toBe(false);
  });

  it('switches a job to debug mode (only debug workers, one task at a time) and back; a restart keeps the mode', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1, 2, 3] });
    expect(await before.scheduler.setRunMode(id, 'debug')).toBe(true);
    expect(await before.scheduler.leaseNext(asker('w_plain'))).toBeUndefined();
    const first = await before.lease(asker('w_debug', { debug: true }));
    expect(first.debug).toBe(true);
    expect(await before.scheduler.leaseNext(asker('w_debug', { debug: true }))).toBeUndefined();
    expect((await before.store.getJobSummary(id))?.runMode).toBe('debug');

    const after = await setUp({ path, clock: before.clock });
    expect(after.scheduler.liveJob(id)?.record.spec.runMode).toBe('debug');
    expect(await after.scheduler.leaseNext(asker('w_plain'))).toBeUndefined();
    expect(await after.scheduler.setRunMode(id, 'immediate')).toBe(true);
    expect((await after.lease('w_plain')).jobId).toBe(id);
    expect((await after.store.getJob(id))?.spec.runMode).toBe('immediate');
  });

  it('refuses to switch the run mode of a gang job', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 2 } });
    await expect(scheduler.setRunMode(id, 'debug')).rejects.toThrow(InvalidSpecError);
    expect(scheduler.liveJob(id)?.record.spec.runMode).toBe('immediate');
  });
});

describe('Scheduler: start and end times', () => {
  it('keeps when a job first became RUNNING and when it ended', async () => {
    const { scheduler, store, lease, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2] });
    expect((await store.getJob(id))?.startedAt).toBeUndefined();
    clock.advance(1_000);
    const started = clock.time;
    const a = await lease('w_1');
    await scheduler.pause(id);
    await scheduler.resume(id);
    clock.advance(1_000);
    const b = await lease('w_1');
    await scheduler.complete('w_1', a.leaseId, doubled(a));
    clock.advance(1_000);
    await scheduler.complete('w_1', b.leaseId, doubled(b));
    expect(await store.getJobSummary(id)).toMatchObject({ state: 'COMPLETED', startedAt: started, endedAt: clock.time });
  });
});
