import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff, backoffDelay } from '../../shared/index.js';
import { asker, submitJob, useSchedulers, useTempDirs, type ManualClock } from '../test-helpers.js';

// Backoff between attempts, attempt timeouts, and both across a restart. Backoff timers are
// faked (setTimeout only; the store's I/O is untouched) and moved with the scheduler's clock.

const LEASE_MS = 60_000;
const { setUp } = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: 1_000 });
const newTempDir = useTempDirs();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Moves the scheduler's clock and the timers together. */
function pass(clock: ManualClock, ms: number): void {
  clock.advance(ms);
  vi.advanceTimersByTime(ms);
}

describe('backoffDelay', () => {
  const policy = Backoff.parse({ initialMs: 1_000, factor: 3, maxMs: 20_000 });

  it('grows by the factor per failure up to maxMs, with equal jitter: between half and all of it', () => {
    const bounds = (failures: number) => [backoffDelay(policy, failures, () => 0), backoffDelay(policy, failures, () => 1)];
    expect(bounds(1)).toEqual([500, 1_000]);
    expect(bounds(2)).toEqual([1_500, 3_000]);
    expect(bounds(3)).toEqual([4_500, 9_000]);
    expect(bounds(4)).toEqual([10_000, 20_000]);
    expect(bounds(30)).toEqual([10_000, 20_000]);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(2_250);
    expect(backoffDelay(Backoff.parse({ initialMs: 0 }), 5, () => 1)).toBe(0);
    expect(backoffDelay(Backoff.parse({ initialMs: 100, factor: 1 }), 9, () => 1)).toBe(100);
  });

  it('stays within its bounds for any random draw', () => {
    for (let failures = 1; failures < 8; failures++) {
      for (const draw of [0, 0.1, 0.49, 0.5, 0.99, 1]) {
        const delay = backoffDelay(policy, failures, () => draw);
        const full = Math.min(20_000, 1_000 * 3 ** (failures - 1));
        expect(delay).toBeGreaterThanOrEqual(full / 2);
        expect(delay).toBeLessThanOrEqual(full);
      }
    }
  });
});

describe('Scheduler: retry after a backoff', () => {
  it('does not lease a failed task before its backoff ends, and leases it after', async () => {
    const { scheduler, store, lease, task, clock } = await setUp({ random: () => 1 });
    const { id } = await submitJob(scheduler, store, { items: [1], retry: { maxAttempts: 3, backoff: { initialMs: 1_000, factor: 2 } } });
    let readyCalls = 0;
    scheduler.onReady(() => readyCalls++);

    await scheduler.fail('w_1', (await lease('w_1')).leaseId, { message: 'first' });
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 1, readyAt: clock.now() + 1_000 });
    expect((await store.listTasks(id))[0]).toMatchObject({ state: 'ready', readyAt: clock.now() + 1_000 });
    expect(scheduler.queueDepth()).toBe(0);
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    expect(scheduler.counters.retries).toBe(1);

    pass(clock, 999);
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    expect(readyCalls).toBe(0);
    pass(clock, 1);
    expect(readyCalls).toBe(1);
    const second = await lease('w_2');
    expect(second).toMatchObject({ taskIndex: 0, attempt: 2 });

    // The second failure waits twice as long.
    await scheduler.fail('w_2', second.leaseId, { message: 'second' });
    pass(clock, 1_999);
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    pass(clock, 1);
    expect(await lease('w_1')).toMatchObject({ attempt: 3 });
  });

  it('leases other ready tasks while one backs off, and fails the job at maxAttempts without waiting', async () => {
    const { scheduler, store, lease, clock } = await setUp({ random: () => 0 });
    const { id } = await submitJob(scheduler, store, { items: [1, 2], retry: { maxAttempts: 2, distinctWorkers: 1, backoff: { initialMs: 4_000 } } });
    const first = await lease('w_1');
    await scheduler.fail('w_1', first.leaseId, { message: 'once' });
    expect((await lease('w_1')).taskIndex).toBe(1);
    pass(clock, 2_000); // random 0: half of 4000
    const again = await lease('w_1');
    expect(again).toMatchObject({ taskIndex: 0, attempt: 2 });
    const stack = 'Error: twice\n    at task (code.js:1:7)';
    await scheduler.fail('w_1', again.leaseId, { message: 'twice', stack });
    expect(await store.getJob(id)).toMatchObject({ state: 'FAILED', error: { message: 'twice', taskIndex: 0, stack } });
    expect((await store.listTasks(id)).map((t) => t.state)).toEqual(['failed', 'cancelled']);
    // Each failed attempt is an error in its task's log, stored with the job's end: `tabgrid logs` shows where and how it failed.
    expect((await store.listLogs(id)).map(({ level, taskIndex, workerId, message }) => ({ level, taskIndex, workerId, message }))).toEqual([
      { level: 'error', taskIndex: 0, workerId: 'w_1', message: 'attempt 1 failed; retrying in 2 s: once' },
      { level: 'error', taskIndex: 0, workerId: 'w_1', message: `attempt 2 failed; the job fails: ${stack}` },
    ]);
  });

  it('drops the backoff timer of a job that ends meanwhile', async () => {
    const { scheduler, store, lease, clock } = await setUp({ random: () => 1 });
    const { id } = await submitJob(scheduler, store, { items: [1], retry: { backoff: { initialMs: 1_000 } } });
    await scheduler.fail('w_1', (await lease('w_1')).leaseId, { message: 'once' });
    let readyCalls = 0;
    scheduler.onReady(() => readyCalls++);
    await scheduler.cancel(id);
    pass(clock, 5_000);
    expect(readyCalls).toBe(0);
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
  });

  it('keeps the backoff across a restart: waits out the rest, or none if it ended while down', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path, random: () => 1 });
    const backoff = { initialMs: 10_000 };
    const waiting = await submitJob(before.scheduler, before.store, { items: [1], retry: { backoff } });
    await before.scheduler.fail('w_1', (await before.lease('w_1')).leaseId, { message: 'failed before the restart' });
    const readyAt = before.clock.now() + 10_000;
    expect((await before.store.listTasks(waiting.id))[0]?.readyAt).toBe(readyAt);

    before.clock.advance(3_000); // the coordinator is down for 3 s; no timer of the dead process counts
    const after = await setUp({ path, clock: before.clock });
    expect(after.task(waiting.id, 0)).toMatchObject({ state: 'ready', failures: 1, readyAt });
    expect(await after.scheduler.leaseNext(asker('w_2'))).toBeUndefined();
    pass(after.clock, 6_999);
    expect(await after.scheduler.leaseNext(asker('w_2'))).toBeUndefined();
    pass(after.clock, 1);
    expect(await after.lease('w_2')).toMatchObject({ jobId: waiting.id, attempt: 2 });

    // A backoff that ran out while the coordinator was down: ready at once.
    const lapsed = await submitJob(after.scheduler, after.store, { items: [1], retry: { backoff } });
    await after.scheduler.fail('w_2', (await after.lease('w_2')).leaseId, { message: 'failed before the second restart' });
    after.clock.advance(60_000);
    const again = await setUp({ path, clock: after.clock });
    expect(again.scheduler.queueDepth()).toBe(1);
    expect(await again.lease('w_3')).toMatchObject({ jobId: lapsed.id, attempt: 2 });
  });
});

describe('Scheduler: attempt timeouts', () => {
  it('abandons an attempt past retry.timeoutMs, heartbeats or not: counted, revoked, retried, then FAILED', async () => {
    const { scheduler, store, lease, task, clock, revokes } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1], retry: { maxAttempts: 2, timeoutMs: 5_000, backoff: { initialMs: 0 } } });
    const first = await lease('w_1');
    expect(first.timeoutMs).toBe(5_000);

    clock.advance(4_000);
    scheduler.heartbeat('w_1');
    clock.advance(999);
    await scheduler.sweep();
    expect(task(id, 0).state).toBe('leased');
    clock.advance(1);
    await scheduler.sweep();
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 1, lapses: 0, error: 'task 0 timed out after 5000 ms' });
    expect(scheduler.counters).toMatchObject({ timeouts: 1, leaseLapses: 0, retries: 1 });
    expect(revokes).toEqual([{ workerId: 'w_1', leaseId: first.leaseId, reason: 'timed out after 5000 ms' }]);
    expect(await scheduler.complete('w_1', first.leaseId, [2])).toBe('ignored');

    const second = await lease('w_2');
    expect(second.attempt).toBe(2);
    clock.advance(5_000);
    await scheduler.sweep();
    const job = await store.getJob(id);
    expect(job?.state).toBe('FAILED');
    expect(job?.error).toMatchObject({ taskIndex: 0, message: expect.stringMatching(/timed out/) as string });
    expect(scheduler.counters.timeouts).toBe(2);
    expect((await store.listLogs(id)).map((line) => `${line.level} ${line.workerId}: ${line.message}`)).toEqual([
      'error w_1: attempt 1 timed out after 5 s; retrying',
      'error w_2: attempt 2 timed out after 5 s; the job fails',
    ]);
  });

  it('gives a lease recovered after a restart a fresh timeout', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1], retry: { timeoutMs: 5_000 } });
    await before.lease('w_1');
    before.clock.advance(4_000);
    const after = await setUp({ path, clock: before.clock });
    after.clock.advance(4_999);
    await after.scheduler.sweep();
    expect(after.task(id, 0).state).toBe('leased');
    after.clock.advance(1);
    await after.scheduler.sweep();
    expect(after.task(id, 0)).toMatchObject({ state: 'ready', failures: 1 });
    expect(after.scheduler.counters.timeouts).toBe(1);
  });
});
