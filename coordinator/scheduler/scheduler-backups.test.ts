import { describe, expect, it } from 'vitest';
import { asker, submitJob, useSchedulers } from '../test-helpers.js';

const { setUp } = useSchedulers({ leaseMs: 60_000, disconnectGraceMs: 300 });

// A worker may take a task and heartbeat forever without answering. When nothing else is
// ready, a task held far longer than its job's tasks take gets a backup copy on another worker.
const timing = { backupAfterMs: 1_000, backupFactor: 4, backupWithoutHistoryMs: 5_000 };

describe('Scheduler: backup copies of stalled tasks', () => {
  it("backs up a task held past 4 times the job's median task time, never to its holder; the first result wins", async () => {
    const { scheduler, store, lease, clock, revokes } = await setUp(timing);
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3, 4] });
    for (const worker of ['a', 'b', 'c']) {
      const done = await lease(worker);
      clock.advance(500);
      expect(await scheduler.complete(worker, done.leaseId, [0])).toBe('accepted');
    }
    const held = await lease('slow');
    // Median 500 ms: stalled after max(1000, 4 × 500) = 2000 ms.
    clock.advance(1_999);
    expect(await scheduler.leaseNext(asker('fast'))).toBeUndefined();
    clock.advance(1);
    expect(await scheduler.leaseNext(asker('slow'))).toBeUndefined();
    const copy = await lease('fast');
    expect(copy).toMatchObject({ taskIndex: held.taskIndex, attempt: held.attempt });
    expect(copy.leaseId).not.toBe(held.leaseId);
    // One copy at a time.
    expect(await scheduler.leaseNext(asker('third'))).toBeUndefined();

    expect(await scheduler.complete('fast', copy.leaseId, [8])).toBe('accepted');
    expect(await store.getJob(id)).toMatchObject({ state: 'COMPLETED' });
    expect(revokes).toContainEqual({ workerId: 'slow', leaseId: held.leaseId, reason: 'another worker finished this task first' });
    expect(await scheduler.complete('slow', held.leaseId, [999])).toBe('ignored');
    expect((await store.listTasks(id))[3]).toMatchObject({ state: 'done', output: [8] });
  });

  it('waits backupWithoutHistoryMs in a job with no finished task; a copy refuses checkpoints', async () => {
    const { scheduler, store, lease, clock } = await setUp(timing);
    await submitJob(scheduler, store, { items: [1] });
    const held = await lease('slow');
    clock.advance(4_999);
    expect(await scheduler.leaseNext(asker('fast'))).toBeUndefined();
    clock.advance(1);
    const copy = await lease('fast');
    expect(await scheduler.checkpoint('fast', copy.leaseId, { step: 1 })).toMatchObject({ status: 'refused' });
    expect(await scheduler.checkpoint('slow', held.leaseId, { step: 1 })).toEqual({ status: 'stored' });
  });

  it('keeps the copy going when the first worker fails or lapses, and the first when the copy fails', async () => {
    const { scheduler, store, lease, clock, task } = await setUp(timing);
    const { id } = await submitJob(scheduler, store, { items: [1, 2] });
    const [first, second] = [await lease('slow'), await lease('slow2')];
    clock.advance(5_000);
    const copyOfFirst = await lease('fast');
    const copyOfSecond = await lease('fast2');
    expect([copyOfFirst.taskIndex, copyOfSecond.taskIndex]).toEqual([first.taskIndex, second.taskIndex]);

    // The first worker fails on purpose: the copy becomes the task's lease, no attempt is spent.
    expect(await scheduler.fail('slow', first.leaseId, { message: 'no' })).toBe('accepted');
    expect(task(id, first.taskIndex)).toMatchObject({ state: 'leased', leaseId: copyOfFirst.leaseId, workerId: 'fast', failures: 0 });
    expect((await store.listTasks(id))[first.taskIndex]).toMatchObject({ leaseId: copyOfFirst.leaseId, workerId: 'fast' });
    expect(await scheduler.complete('fast', copyOfFirst.leaseId, [2])).toBe('accepted');

    // The copy fails: the first worker goes on, and may finish.
    expect(await scheduler.fail('fast2', copyOfSecond.leaseId, { message: 'oops' })).toBe('accepted');
    expect(task(id, second.taskIndex)).toMatchObject({ state: 'leased', leaseId: second.leaseId, failures: 0 });
    expect(await scheduler.complete('slow2', second.leaseId, [4])).toBe('accepted');
    expect(await store.getJob(id)).toMatchObject({ state: 'COMPLETED' });
  });

  it('promotes the copy when the first lease lapses', async () => {
    const { scheduler, store, lease, clock, task } = await setUp({ ...timing, leaseMs: 10_000 });
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const held = await lease('slow');
    clock.advance(5_000);
    const copy = await lease('fast');
    clock.advance(5_001);
    scheduler.heartbeat('fast');
    await scheduler.sweep();
    expect(task(id, 0)).toMatchObject({ state: 'leased', leaseId: copy.leaseId, workerId: 'fast', lapses: 0 });
    expect(await scheduler.complete('slow', held.leaseId, [1])).toBe('ignored');
    expect(await scheduler.complete('fast', copy.leaseId, [2])).toBe('accepted');
  });
});

describe('Scheduler: stalled replicas', () => {
  it('replaces a replica held past the stall time by one on another worker', async () => {
    const { scheduler, store, lease, clock, revokes } = await setUp(timing);
    const { id } = await submitJob(scheduler, store, { items: [5], validation: { replicas: 2, quorum: 2 } });
    const stalled = await lease('slow');
    const honest = await lease('b');
    expect(await scheduler.complete('b', honest.leaseId, [10])).toBe('accepted');
    clock.advance(5_000);
    await scheduler.sweep();
    expect(revokes).toContainEqual({ workerId: 'slow', leaseId: stalled.leaseId, reason: 'stalled: a replica held far longer than the job takes' });
    expect(await scheduler.leaseNext(asker('slow'))).toBeUndefined();
    const replacement = await lease('c');
    expect(await scheduler.complete('c', replacement.leaseId, [10])).toBe('accepted');
    expect(await store.getJob(id)).toMatchObject({ state: 'COMPLETED' });
  });
});
