import { describe, expect, it } from 'vitest';
import { isTerminal } from '../../shared/index.js';
import type { Store } from '../store/index.js';
import type { Scheduler } from './scheduler.js';
import { NO_BACKOFF, asker, doubled, submitJob, useSchedulers } from '../test-helpers.js';

const LEASE_MS = 1_000;
const GRACE_MS = 300;

const { openStore, setUp } = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: GRACE_MS });

/**
 * A scheduler whose commits, once the gate is closed, wait after landing in the store: another
 * call can then run while one is between its commit and what follows it.
 */
async function gatedSetUp() {
  const store = await openStore();
  let gate = Promise.resolve();
  let landed: () => void = () => undefined;
  const gated: Store = Object.assign(Object.create(store) as Store, {
    async write(...args: Parameters<Store['write']>) {
      const answers = await store.write(...args);
      landed();
      await gate;
      return answers;
    },
  });
  const parts = await setUp({ store: gated });
  /** Closes the gate; answers the function that opens it, and a promise of the next commit landing (and waiting). */
  const closeGate = (): { open: () => void; landed: Promise<void> } => {
    let open!: () => void;
    gate = new Promise((resolve) => (open = resolve));
    return { open, landed: new Promise((resolve) => (landed = resolve)) };
  };
  return { ...parts, store, closeGate };
}

describe('Scheduler.submit', () => {
  it('partitions the items into chunks, the last one short, and stores the job as PENDING', async () => {
    const { scheduler, store } = await setUp();
    const items = Array.from({ length: 10 }, (_, i) => i * 10);
    const record = await submitJob(scheduler, store, { items, chunkSize: 3, name: 'chunks' });

    expect(record).toMatchObject({ name: 'chunks', itemCount: 10, taskCount: 4 });
    expect(record.spec.code).toEqual({ blob: record.codeSha });
    const tasks = await store.listTasks(record.id);
    expect(tasks.map((task) => [task.firstItem, task.itemCount, task.input])).toEqual([
      [0, 3, [0, 10, 20]],
      [3, 3, [30, 40, 50]],
      [6, 3, [60, 70, 80]],
      [9, 1, [90]],
    ]);
    expect(tasks.every((task) => task.state === 'ready' && task.attempts === 0)).toBe(true);
    expect((await store.getJob(record.id))?.state).toBe('PENDING');
    expect(scheduler.liveJob(record.id)?.record.state).toBe('PENDING');
    expect(scheduler.queueDepth()).toBe(4);
  });

  it('tells ready listeners that there is work', async () => {
    const { scheduler, store } = await setUp();
    let calls = 0;
    const stop = scheduler.onReady(() => calls++);
    await submitJob(scheduler, store);
    expect(calls).toBe(1);
    stop();
    await submitJob(scheduler, store);
    expect(calls).toBe(1);
  });
});

describe('Scheduler.leaseNext', () => {
  it('hands out a lease with the task, its code and its attempt', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const record = await submitJob(scheduler, store, { name: 'squares', items: ['a', 'b', 'c'], chunkSize: 2 });
    const first = await lease('w_1');
    expect(first).toMatchObject({
      type: 'lease',
      jobId: record.id,
      jobName: 'squares',
      taskIndex: 0,
      attempt: 1,
      code: record.codeSha,
      input: { kind: 'items', firstItem: 0, items: ['a', 'b'] },
    });
    expect(first.input).toEqual({ kind: 'items', firstItem: 0, items: ['a', 'b'] });
    expect(first).not.toHaveProperty('restored');
    expect(first).not.toHaveProperty('debug');
    expect(first).not.toHaveProperty('timeoutMs');
    expect(first.leaseId).toMatch(/^lease_/);
    expect(task(record.id, 0)).toMatchObject({ state: 'leased', leaseId: first.leaseId, workerId: 'w_1', attempts: 1 });
    expect((await store.listTasks(record.id))[0]).toMatchObject({ state: 'leased', leaseId: first.leaseId, workerId: 'w_1', attempts: 1 });
    expect(await lease('w_2')).toMatchObject({ taskIndex: 1, input: { kind: 'items', firstItem: 2, items: ['c'] } });
    expect(await scheduler.leaseNext(asker('w_3'))).toBeUndefined();
    expect(scheduler.queueDepth()).toBe(0);
  });

  it('serves higher priority first; equal priorities take turns, the older job first on a tie', async () => {
    const { scheduler, store, lease } = await setUp();
    const oldLow = await submitJob(scheduler, store, { items: [1], priority: 0 });
    const oldHigh = await submitJob(scheduler, store, { items: [1, 2], priority: 5 });
    const newHigh = await submitJob(scheduler, store, { items: [1], priority: 5 });
    const newLow = await submitJob(scheduler, store, { items: [1], priority: 0 });
    const negative = await submitJob(scheduler, store, { items: [1], priority: -3 });

    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const granted = await lease('w_1');
      order.push(`${granted.jobId}/${granted.taskIndex}`);
    }
    expect(order).toEqual([
      `${oldHigh.id}/0`,
      `${newHigh.id}/0`,
      `${oldHigh.id}/1`,
      `${oldLow.id}/0`,
      `${newLow.id}/0`,
      `${negative.id}/0`,
    ]);
  });

  it('moves the job PENDING → RUNNING on its first lease and → COMPLETED when every task is done', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3], chunkSize: 2 });
    const first = await lease('w_1');
    expect((await store.getJob(id))?.state).toBe('RUNNING');
    expect(scheduler.liveJob(id)?.record.state).toBe('RUNNING');
    const second = await lease('w_2');

    expect(await scheduler.complete('w_2', second.leaseId, doubled(second))).toBe('accepted');
    expect((await store.getJob(id))?.state).toBe('RUNNING');
    expect(scheduler.liveJob(id)?.progress()).toEqual({ total: 2, done: 1, failed: 0, running: 1 });

    expect(await scheduler.complete('w_1', first.leaseId, doubled(first))).toBe('accepted');
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
    expect(scheduler.liveJob(id)).toBeUndefined();
    expect(await store.listOutputs(id)).toEqual([
      { index: 0, firstItem: 0, output: [2, 4] },
      { index: 1, firstItem: 2, output: [6] },
    ]);
    expect(scheduler.counters).toEqual({ leaseLapses: 0, retries: 0, lateResults: 0, timeouts: 0, backups: 0 });
  });

  it('does not hand out a task of a job cancelled while the lease was being written', async () => {
    const { scheduler, store, revokes, closeGate } = await gatedSetUp();
    const doomed = await submitJob(scheduler, store, { items: [1], priority: 9 });
    const other = await submitJob(scheduler, store, { items: [2] });

    const { open, landed } = closeGate();
    const pending = scheduler.leaseNext(asker('w_1'));
    await landed;
    const cancelling = scheduler.cancel(doomed.id);
    open();
    expect(await cancelling).toBe(true);
    const granted = await pending;

    expect(granted).toMatchObject({ jobId: other.id, taskIndex: 0 });
    expect(revokes).toHaveLength(1);
    expect((await store.listTasks(doomed.id))[0]?.state).toBe('cancelled');
    expect((await store.getJob(doomed.id))?.state).toBe('CANCELLED');
  });
});

describe('Scheduler results: exactly once', () => {
  it('ignores a second report, a stale lease and another worker, and counts them as late', async () => {
    const { scheduler, store, lease, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2] });
    const first = await lease('w_1');

    expect(await scheduler.complete('w_2', first.leaseId, [99])).toBe('ignored');
    expect(await scheduler.complete('w_1', 'lease_unknown', [99])).toBe('ignored');
    expect(await scheduler.complete('w_1', first.leaseId, [2])).toBe('accepted');
    expect(await scheduler.complete('w_1', first.leaseId, [2])).toBe('ignored');
    expect(await scheduler.fail('w_1', first.leaseId, { message: 'late failure' })).toBe('ignored');

    // A stale lease: task 1 lapses on w_1 and goes to w_2; w_1's late result must not count.
    const stale = await lease('w_1');
    clock.advance(LEASE_MS);
    await scheduler.sweep();
    const fresh = await lease('w_2');
    expect(fresh.taskIndex).toBe(stale.taskIndex);
    expect(fresh.leaseId).not.toBe(stale.leaseId);
    expect(await scheduler.complete('w_1', stale.leaseId, [111])).toBe('ignored');
    expect(await scheduler.complete('w_2', fresh.leaseId, [4])).toBe('accepted');

    expect(scheduler.counters.lateResults).toBe(5);
    expect(await store.listOutputs(id)).toEqual([
      { index: 0, firstItem: 0, output: [2] },
      { index: 1, firstItem: 1, output: [4] },
    ]);
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
  });

  it('records one result when the same report arrives twice at once', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const granted = await lease('w_1');
    const outcomes = await Promise.all([
      scheduler.complete('w_1', granted.leaseId, [2]),
      scheduler.complete('w_1', granted.leaseId, [2]),
    ]);
    expect(outcomes.sort()).toEqual(['accepted', 'ignored']);
    expect(await store.listOutputs(id)).toEqual([{ index: 0, firstItem: 0, output: [2] }]);
  });

  it('counts a result with the wrong number of outputs as a failure', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2], chunkSize: 2, retry: { maxAttempts: 3, ...NO_BACKOFF } });
    const granted = await lease('w_1');
    // Recorded (as a failure), so the worker is told it was handled.
    expect(await scheduler.complete('w_1', granted.leaseId, [2])).toBe('accepted');
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 1, leaseId: null, output: null });
    expect(task(id, 0).error).toMatch(/1 outputs for 2 items/);
    expect(scheduler.counters.retries).toBe(1);
    expect(await store.listOutputs(id)).toEqual([]);
    expect((await lease('w_1')).attempt).toBe(2);
  });
});

describe('Scheduler failures and retries', () => {
  it('retries a failing task until retry.maxAttempts, then fails the job and cancels the rest', async () => {
    const { scheduler, store, lease, task, revokes } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3], retry: { maxAttempts: 2, distinctWorkers: 1, ...NO_BACKOFF } });
    const a1 = await lease('w_1');
    const b = await lease('w_2');
    expect([a1.taskIndex, b.taskIndex]).toEqual([0, 1]);

    expect(await scheduler.fail('w_1', a1.leaseId, { message: 'first try' })).toBe('accepted');
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 1, error: 'first try', leaseId: null });
    expect(scheduler.counters.retries).toBe(1);
    expect((await store.getJob(id))?.state).toBe('RUNNING');

    // Task 2 is next in the queue, then task 0 again.
    expect((await lease('w_3')).taskIndex).toBe(2);
    const a2 = await lease('w_1');
    expect(a2).toMatchObject({ taskIndex: 0, attempt: 2 });

    expect(await scheduler.fail('w_1', a2.leaseId, { message: 'second try', stack: 'Error: second try\n    at task' })).toBe('accepted');
    const job = await store.getJob(id);
    expect(job?.state).toBe('FAILED');
    expect(job?.error).toEqual({ message: 'second try', taskIndex: 0, stack: 'Error: second try\n    at task' });
    expect((await store.listTasks(id)).map((t) => t.state)).toEqual(['failed', 'cancelled', 'cancelled']);
    expect(scheduler.liveJob(id)).toBeUndefined();
    expect(revokes.map((r) => [r.workerId, r.reason]).sort()).toEqual([
      ['w_2', 'job failed'],
      ['w_3', 'job failed'],
    ]);
    expect(revokes.some((r) => r.leaseId === b.leaseId)).toBe(true);
    expect(await scheduler.complete('w_2', b.leaseId, [4])).toBe('ignored');
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    expect(scheduler.counters.retries).toBe(1);
  });

  it('fails the job on the first error when retry.maxAttempts is 1', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1], retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const granted = await lease('w_1');
    await scheduler.fail('w_1', granted.leaseId, { message: 'nope' });
    expect(await store.getJob(id)).toMatchObject({ state: 'FAILED', error: { message: 'nope', taskIndex: 0 } });
  });
});

describe('Scheduler leases over time', () => {
  it('makes the task of a lapsed lease ready again, counts the lapse and revokes the lease', async () => {
    const { scheduler, store, lease, task, clock, revokes } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const first = await lease('w_1');

    clock.advance(LEASE_MS - 1);
    await scheduler.sweep();
    expect(task(id, 0).state).toBe('leased');
    expect(revokes).toEqual([]);

    clock.advance(1);
    await scheduler.sweep();
    expect(task(id, 0)).toMatchObject({ state: 'ready', lapses: 1, failures: 0, leaseId: null });
    expect((await store.listTasks(id))[0]).toMatchObject({ state: 'ready', lapses: 1, leaseId: null });
    expect(scheduler.counters.leaseLapses).toBe(1);
    expect(revokes).toEqual([{ workerId: 'w_1', leaseId: first.leaseId, reason: 'lease lapsed' }]);
    expect(scheduler.leasesOf('w_1')).toEqual([]);

    const second = await lease('w_2');
    expect(second).toMatchObject({ taskIndex: 0, attempt: 2 });
    await scheduler.sweep();
    expect(scheduler.counters.leaseLapses).toBe(1);
  });

  it('fails the job when a task lapses retry.maxLapses times', async () => {
    const { scheduler, store, lease, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2], retry: { maxLapses: 2 } });
    await lease('w_1');
    clock.advance(LEASE_MS);
    await scheduler.sweep();
    const again = await lease('w_2');
    expect(again.taskIndex).toBe(1);
    const third = await lease('w_3');
    expect(third.taskIndex).toBe(0);
    clock.advance(LEASE_MS);
    await scheduler.sweep();

    const job = await store.getJob(id);
    expect(job?.state).toBe('FAILED');
    expect(job?.error?.taskIndex).toBe(0);
    expect(job?.error?.message).toMatch(/lapsed.*2 times/);
    expect((await store.listTasks(id)).map((t) => [t.state, t.lapses])).toEqual([
      ['failed', 2],
      ['cancelled', 1],
    ]);
    expect(scheduler.counters.leaseLapses).toBe(3);
  });

  it('renews every lease of a worker on heartbeat, and only that worker’s', async () => {
    const { scheduler, store, lease, task, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3] });
    await lease('w_1');
    await lease('w_1');
    await lease('w_2');

    clock.advance(800);
    scheduler.heartbeat('w_1');
    clock.advance(800);
    await scheduler.sweep();
    expect([0, 1, 2].map((i) => task(id, i).state)).toEqual(['leased', 'leased', 'ready']);

    clock.advance(199);
    await scheduler.sweep();
    expect(task(id, 0).state).toBe('leased');
    clock.advance(1);
    await scheduler.sweep();
    expect(task(id, 0).state).toBe('ready');
    expect(task(id, 1).state).toBe('ready');
  });

  it('shortens the leases of a disconnected worker to the grace period, never lengthens them', async () => {
    const { scheduler, store, lease, task, clock } = await setUp({ leaseMs: 10_000, disconnectGraceMs: 500 });
    const { id } = await submitJob(scheduler, store, { items: [1, 2] });
    await lease('w_1');
    await lease('w_2');
    scheduler.workerDisconnected('w_1');

    clock.advance(499);
    await scheduler.sweep();
    expect(task(id, 0).state).toBe('leased');
    clock.advance(1);
    await scheduler.sweep();
    expect(task(id, 0).state).toBe('ready');
    expect(task(id, 1).state).toBe('leased');

    // w_2's lease ends at 10000; a disconnect at 9800 must not push it to 10300.
    clock.advance(9_300);
    scheduler.workerDisconnected('w_2');
    clock.advance(200);
    await scheduler.sweep();
    expect(task(id, 1).state).toBe('ready');
  });

  it('lets a returning worker keep only the leases that are still its own, renewed', async () => {
    const { scheduler, store, lease, task, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3] });
    const mine = await lease('w_1');
    const theirs = await lease('w_2');
    const lapsed = await lease('w_1');
    clock.advance(LEASE_MS / 2);
    scheduler.heartbeat('w_2');
    scheduler.workerDisconnected('w_1');
    clock.advance(GRACE_MS);
    expect((await scheduler.reattach('w_1', [mine.leaseId])).kept).toEqual([mine.leaseId]);
    await scheduler.sweep();
    expect(task(id, mine.taskIndex).state).toBe('leased');
    expect(task(id, lapsed.taskIndex).state).toBe('ready');

    expect((await scheduler.reattach('w_1', [mine.leaseId, theirs.leaseId, lapsed.leaseId, 'lease_bogus'])).kept).toEqual([mine.leaseId]);
    clock.advance(LEASE_MS - 1);
    await scheduler.sweep();
    expect(task(id, mine.taskIndex).state).toBe('leased');
    expect(task(id, theirs.taskIndex).state).toBe('ready');
  });

  it('drops the leases a returning worker does not name: its heartbeats keep none of them, and the task goes to another worker', async () => {
    const { scheduler, store, lease, task, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const old = await lease('w_1');
    expect((await scheduler.reattach('w_1', [])).kept).toEqual([]);
    expect(task(id, old.taskIndex).state).toBe('ready');
    for (let beat = 0; beat < 4; beat++) {
      clock.advance(LEASE_MS / 2);
      scheduler.heartbeat('w_1');
    }
    expect(scheduler.leasesOf('w_1')).toEqual([]);
    const next = await lease('w_2');
    expect(next).toMatchObject({ taskIndex: old.taskIndex, attempt: 2 });
    expect(await scheduler.complete('w_1', old.leaseId, [2])).toBe('ignored');
  });

  it('keeps progress and logs only from the lease holder', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const granted = await lease('w_1');
    scheduler.progress('w_1', granted.leaseId, 0.5);
    scheduler.progress('w_2', granted.leaseId, 0.9);
    expect(scheduler.leasesOf('w_1').map((l) => l.progress)).toEqual([0.5]);

    scheduler.log('w_1', granted.leaseId, 'info', 'hello from the task');
    scheduler.log('w_2', granted.leaseId, 'error', 'not the holder');
    await scheduler.close(); // flushes the log buffer
    expect(await store.listLogs(id)).toMatchObject([
      { jobId: id, taskIndex: 0, workerId: 'w_1', level: 'info', message: 'hello from the task' },
    ]);
  });
});

describe('Scheduler.cancel', () => {
  it('cancels a live job: open tasks cancelled, leases revoked, late results ignored', async () => {
    const { scheduler, store, lease, revokes } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3] });
    const done = await lease('w_1');
    await scheduler.complete('w_1', done.leaseId, [2]);
    const running = await lease('w_2');

    expect(await scheduler.cancel(id)).toBe(true);
    expect(await store.getJob(id)).toMatchObject({ state: 'CANCELLED', error: null });
    expect((await store.listTasks(id)).map((t) => t.state)).toEqual(['done', 'cancelled', 'cancelled']);
    expect(revokes).toEqual([{ workerId: 'w_2', leaseId: running.leaseId, reason: 'job cancelled' }]);
    expect(await scheduler.complete('w_2', running.leaseId, [4])).toBe('ignored');
    expect(await scheduler.leaseNext(asker('w_3'))).toBeUndefined();
    expect(scheduler.queueDepth()).toBe(0);
    expect(await scheduler.cancel(id)).toBe(false);
    expect(await scheduler.cancel('job_unknown')).toBe(false);
  });
});

describe('Scheduler: a job ends once', () => {
  // A transition happens in memory at once and is committed after: a cancel that arrives while
  // the last result's commit is in flight finds the job already ended, and ends nothing again.
  async function endedOnce(report: (scheduler: Scheduler, leaseId: string) => Promise<unknown>, retry?: { maxAttempts: number; distinctWorkers: number }) {
    const { scheduler, store, lease, closeGate } = await gatedSetUp();
    const { id } = await submitJob(scheduler, store, { items: [1], ...(retry && { retry }) });
    const granted = await lease('w_1');
    const { open, landed } = closeGate();
    const reporting = report(scheduler, granted.leaseId);
    await landed;
    const cancelling = scheduler.cancel(id);
    open();
    await reporting;
    expect(await cancelling).toBe(false);
    const ends = (await store.listJobEvents(id)).filter((event) => isTerminal(event.to));
    return { job: await store.getJob(id), ends };
  }

  it('stays COMPLETED when cancelled while the last result was being written', async () => {
    const { job, ends } = await endedOnce((scheduler, leaseId) => scheduler.complete('w_1', leaseId, [2]));
    expect(job?.state).toBe('COMPLETED');
    expect(ends.map((event) => event.to)).toEqual(['COMPLETED']);
  });

  it('stays FAILED when cancelled while a last failure was being written', async () => {
    const { job, ends } = await endedOnce((scheduler, leaseId) => scheduler.fail('w_1', leaseId, { message: 'boom' }), { maxAttempts: 1, distinctWorkers: 1 });
    expect(job).toMatchObject({ state: 'FAILED', error: { message: 'boom', taskIndex: 0 } });
    expect(ends.map((event) => event.to)).toEqual(['FAILED']);
  });
});
