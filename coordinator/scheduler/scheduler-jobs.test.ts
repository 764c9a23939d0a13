import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../../shared/index.js';
import type { JobEventRecord, Store } from '../store/index.js';
import { NO_BACKOFF, asker, doubled, submitJob, useSchedulers, useTempDirs } from '../test-helpers.js';
import type { Scheduler } from './scheduler.js';

// Job-level lifecycle: dependencies between jobs (dependsOn) and the recorded state transitions.

const { setUp } = useSchedulers({ leaseMs: 60_000, disconnectGraceMs: 1_000 });
const newTempDir = useTempDirs();

/** The transitions of a job as `FROM→TO: reason`. */
async function transitions(store: Store, jobId: string): Promise<string[]> {
  return (await store.listJobEvents(jobId)).map((event) => `${event.from ?? '∅'}→${event.to}: ${event.reason}`);
}

/** Leases and completes every task the worker can get. */
async function runAll(scheduler: Scheduler, workerId = 'w_1'): Promise<string[]> {
  const ran: string[] = [];
  for (let lease = await scheduler.leaseNext(asker(workerId)); lease; lease = await scheduler.leaseNext(asker(workerId))) {
    ran.push(`${lease.jobId}/${lease.taskIndex}`);
    await scheduler.complete(workerId, lease.leaseId, doubled(lease));
  }
  return ran;
}

describe('Scheduler: dependsOn', () => {
  it('keeps a dependent job PENDING until its dependency COMPLETES, then runs it', async () => {
    const { scheduler, store, lease } = await setUp();
    const first = await submitJob(scheduler, store, { items: [1, 2] });
    const second = await submitJob(scheduler, store, { items: [3], dependsOn: [first.id], priority: 10 });
    expect(second.state).toBe('PENDING');
    expect([...scheduler.liveJob(second.id)!.blockedBy]).toEqual([first.id]);
    let readyCalls = 0;
    scheduler.onReady(() => readyCalls++);

    // Higher priority, but blocked: the dependency's tasks go first.
    const a = await lease('w_1');
    const b = await lease('w_1');
    expect([a.jobId, b.jobId]).toEqual([first.id, first.id]);
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    await scheduler.complete('w_1', a.leaseId, doubled(a));
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    await scheduler.complete('w_1', b.leaseId, doubled(b));
    expect((await store.getJob(first.id))?.state).toBe('COMPLETED');
    expect(readyCalls).toBeGreaterThan(0);

    expect(await runAll(scheduler)).toEqual([`${second.id}/0`]);
    expect((await store.getJob(second.id))?.state).toBe('COMPLETED');
  });

  it('fails a dependent (and its dependents) when the dependency fails, naming it', async () => {
    const { scheduler, store, lease } = await setUp();
    const root = await submitJob(scheduler, store, { items: [1], retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const middle = await submitJob(scheduler, store, { items: [1], dependsOn: [root.id] });
    const leaf = await submitJob(scheduler, store, { items: [1], dependsOn: [middle.id] });
    const unrelated = await submitJob(scheduler, store, { items: [1] });

    const granted = await lease('w_1');
    await scheduler.fail('w_1', granted.leaseId, { message: 'boom' });
    expect(await store.getJob(root.id)).toMatchObject({ state: 'FAILED', error: { message: 'boom', taskIndex: 0 } });
    expect(await store.getJob(middle.id)).toMatchObject({ state: 'FAILED', error: { message: `dependency job ${root.id} failed` } });
    expect(await store.getJob(leaf.id)).toMatchObject({ state: 'FAILED', error: { message: `dependency job ${middle.id} failed` } });
    expect((await store.listTasks(leaf.id)).map((task) => task.state)).toEqual(['cancelled']);
    expect((await transitions(store, leaf.id)).at(-1)).toBe(`PENDING→FAILED: dependency job ${middle.id} failed`);
    expect(scheduler.liveJob(unrelated.id)?.record.state).toBe('PENDING');
    expect(await runAll(scheduler)).toEqual([`${unrelated.id}/0`]);
  });

  it('fails a dependent when the dependency is cancelled', async () => {
    const { scheduler, store } = await setUp();
    const dependency = await submitJob(scheduler, store, { items: [1] });
    const dependent = await submitJob(scheduler, store, { items: [1], dependsOn: [dependency.id] });
    await scheduler.cancel(dependency.id);
    expect(await store.getJob(dependent.id)).toMatchObject({
      state: 'FAILED',
      error: { message: `dependency job ${dependency.id} was cancelled` },
    });
  });

  it('waits for every dependency, and fails at once on a dependency that already failed', async () => {
    const { scheduler, store, lease } = await setUp();
    const done = await submitJob(scheduler, store, { items: [1] });
    await runAll(scheduler);
    const running = await submitJob(scheduler, store, { items: [1] });
    const both = await submitJob(scheduler, store, { items: [1], dependsOn: [done.id, running.id] });
    expect([...scheduler.liveJob(both.id)!.blockedBy]).toEqual([running.id]);

    const failing = await submitJob(scheduler, store, { items: [1], retry: { maxAttempts: 1, distinctWorkers: 1 }, priority: 5 });
    const granted = await lease('w_1');
    expect(granted.jobId).toBe(failing.id);
    await scheduler.fail('w_1', granted.leaseId, { message: 'nope' });

    const late = await submitJob(scheduler, store, { items: [1], dependsOn: [done.id, failing.id] });
    expect(late).toMatchObject({ state: 'FAILED', error: { message: `dependency job ${failing.id} failed` } });
    expect(scheduler.liveJob(late.id)).toBeUndefined();
    expect(await transitions(store, late.id)).toEqual([
      '∅→SUBMITTED: submitted',
      'SUBMITTED→PENDING: accepted: 1 task',
      `PENDING→FAILED: dependency job ${failing.id} failed`,
    ]);

    expect(await runAll(scheduler)).toEqual([`${running.id}/0`, `${both.id}/0`]);
  });

  it('refuses a dependency on a job that does not exist, creating nothing', async () => {
    const { scheduler, store } = await setUp();
    const error = await submitJob(scheduler, store, { items: [1], dependsOn: ['job_nowhere'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidSpecError);
    expect(error).toMatchObject({ path: 'dependsOn.0', reason: 'no job job_nowhere' });
    expect(await store.listJobs()).toEqual([]);
    expect([...scheduler.liveJobs()]).toEqual([]);
  });

  it('keeps waiting for a dependency across a restart', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const dependency = await submitJob(before.scheduler, before.store, { items: [1] });
    const dependent = await submitJob(before.scheduler, before.store, { items: [1], dependsOn: [dependency.id] });

    const after = await setUp({ path, clock: before.clock });
    expect([...after.scheduler.liveJob(dependent.id)!.blockedBy]).toEqual([dependency.id]);
    expect(await runAll(after.scheduler)).toEqual([`${dependency.id}/0`, `${dependent.id}/0`]);
    expect((await after.store.getJob(dependent.id))?.state).toBe('COMPLETED');
  });
});

describe('Scheduler: job events', () => {
  it('records every transition with its time and reason, and publishes each live', async () => {
    const { scheduler, store, lease, clock } = await setUp();
    const live: JobEventRecord[] = [];
    const start = clock.now();
    const { id } = await submitJob(scheduler, store, { items: [1, 2], chunkSize: 2 });
    scheduler.feed.onEvent(id, (event) => live.push(event));
    clock.advance(1_000);
    const granted = await lease('w_1');
    clock.advance(1_000);
    await scheduler.complete('w_1', granted.leaseId, doubled(granted));

    const events = await store.listJobEvents(id);
    expect(events.map((event) => [event.from, event.to, event.reason, event.time - start])).toEqual([
      [null, 'SUBMITTED', 'submitted', 0],
      ['SUBMITTED', 'PENDING', 'accepted: 1 task', 0],
      ['PENDING', 'RUNNING', 'task 0 leased to w_1', 1_000],
      ['RUNNING', 'COMPLETED', 'all tasks done', 2_000],
    ]);
    expect(live).toEqual(events.slice(2));
  });

  it('records pause, resume and cancel', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2] });
    expect(await scheduler.pause(id)).toBe(true);
    expect(await scheduler.resume(id)).toBe(true);
    await lease('w_1');
    expect(await scheduler.pause(id, 'paused by an admin')).toBe(true);
    expect(await scheduler.resume(id)).toBe(true);
    expect(await scheduler.cancel(id)).toBe(true);
    expect((await transitions(store, id)).slice(2)).toEqual([
      'PENDING→PAUSED: paused',
      'PAUSED→PENDING: resumed',
      'PENDING→RUNNING: task 0 leased to w_1',
      'RUNNING→PAUSED: paused by an admin',
      'PAUSED→RUNNING: resumed',
      'RUNNING→CANCELLED: cancelled',
    ]);
  });

  it('records a failure with the task, its attempts and the message', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1], retry: { maxAttempts: 2, distinctWorkers: 1, ...NO_BACKOFF } });
    await scheduler.fail('w_1', (await lease('w_1')).leaseId, { message: 'first' });
    await scheduler.fail('w_1', (await lease('w_1')).leaseId, { message: 'second' });
    expect((await transitions(store, id)).at(-1)).toBe('RUNNING→FAILED: task 0 failed 2 times: second');
  });
});
