import { describe, expect, it, vi } from 'vitest';
import { asker, doubled, NO_BACKOFF, submitJob, useSchedulers } from '../test-helpers.js';
import { LiveJob } from './live-job.js';
import { mismatch } from './matching.js';

// Who gets which task: fairness between jobs, priority, run modes, and worker requirements.

const { setUp } = useSchedulers({ leaseMs: 60_000, disconnectGraceMs: 1_000 });
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);
const gpu = { vendor: 'google', architecture: 'swiftshader' };

describe('Scheduler fairness', () => {
  it('interleaves a small job submitted after a large one of the same priority', async () => {
    const { scheduler, store, lease } = await setUp();
    const large = await submitJob(scheduler, store, { items: range(1000) });
    const small = await submitJob(scheduler, store, { items: range(10) });
    const jobs: string[] = [];
    for (let i = 0; i < 20; i++) jobs.push((await lease('w_1')).jobId);
    expect(jobs.filter((job) => job === small.id)).toHaveLength(10);
    expect(jobs.filter((job) => job === large.id)).toHaveLength(10);
    // Turns alternate while both have ready tasks.
    expect(jobs.slice(0, 4)).toEqual([large.id, small.id, large.id, small.id]);
    // Then the large job has the workers to itself.
    for (let i = 0; i < 5; i++) expect((await lease('w_1')).jobId).toBe(large.id);
  });

  it('lets a higher priority win every turn, even when submitted last', async () => {
    const { scheduler, store, lease } = await setUp();
    const low = await submitJob(scheduler, store, { items: range(50) });
    for (let i = 0; i < 3; i++) await lease('w_1');
    const urgent = await submitJob(scheduler, store, { items: range(10), priority: 1 });
    const jobs: string[] = [];
    for (let i = 0; i < 12; i++) jobs.push((await lease('w_1')).jobId);
    expect(jobs).toEqual([...Array<string>(10).fill(urgent.id), low.id, low.id]);
  });

  it('takes turns between three jobs of one priority, skipping one with nothing ready', async () => {
    const { scheduler, store, lease } = await setUp();
    const a = await submitJob(scheduler, store, { items: range(5) });
    const b = await submitJob(scheduler, store, { items: range(1) });
    const c = await submitJob(scheduler, store, { items: range(5) });
    const jobs: string[] = [];
    for (let i = 0; i < 7; i++) jobs.push((await lease('w_1')).jobId);
    expect(jobs).toEqual([a.id, b.id, c.id, a.id, c.id, a.id, c.id]);
  });
});

describe('Scheduler job choice', () => {
  it('looks at the jobs in front, not at every live job: paused, blocked and all-leased jobs cost an ask nothing', async () => {
    const { scheduler, store, lease } = await setUp();
    const paused = [];
    for (let i = 0; i < 100; i++) paused.push(await submitJob(scheduler, store, { items: [1], runMode: 'paused' }));
    const blocker = await submitJob(scheduler, store, { items: [1], runMode: 'paused' });
    for (let i = 0; i < 100; i++) await submitJob(scheduler, store, { items: [1], dependsOn: [blocker.id] });
    const busy = [];
    for (let i = 0; i < 100; i++) busy.push(await submitJob(scheduler, store, { items: [1], retry: NO_BACKOFF }));
    const busyLeases = [];
    for (let i = 0; i < 100; i++) busyLeases.push(await lease(`w_${i}`));
    const open = await submitJob(scheduler, store, { items: range(200) });

    const looks = vi.spyOn(LiveJob.prototype, 'leasable');
    for (let i = 0; i < 200; i++) expect((await lease('w_x')).jobId).toBe(open.id);
    // A scan of the live jobs would look at ~400 jobs per ask.
    expect(looks.mock.calls.length).toBeLessThan(3 * 200);
    looks.mockRestore();

    // A job that had nothing becomes a candidate again when it may have work: a task back in the queue, resumed, unblocked.
    expect(await scheduler.fail('w_3', busyLeases[3]!.leaseId, { message: 'flaky' })).toBe('accepted');
    expect((await lease('w_x')).jobId).toBe(busy[3]!.id);
    await scheduler.resume(paused[7]!.id);
    expect((await lease('w_x')).jobId).toBe(paused[7]!.id);
    await scheduler.resume(blocker.id);
    const blockerLease = await lease('w_x');
    expect(blockerLease.jobId).toBe(blocker.id);
    await scheduler.complete('w_x', blockerLease.leaseId, doubled(blockerLease));
    expect((await store.getJob((await lease('w_x')).jobId))?.spec.dependsOn).toEqual([blocker.id]);
  });
});

describe('Scheduler run modes', () => {
  it('accepts a paused job as PAUSED, leases nothing of it until resumed', async () => {
    const { scheduler, store, lease } = await setUp();
    const paused = await submitJob(scheduler, store, { items: [1, 2], runMode: 'paused' });
    expect(paused.state).toBe('PAUSED');
    expect((await store.getJob(paused.id))?.state).toBe('PAUSED');
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    expect(scheduler.queueDepth()).toBe(0);
    expect(await scheduler.pause(paused.id)).toBe(false);

    let readyCalls = 0;
    scheduler.onReady(() => readyCalls++);
    expect(await scheduler.resume(paused.id)).toBe(true);
    expect(readyCalls).toBe(1);
    expect((await store.getJob(paused.id))?.state).toBe('PENDING');
    expect(scheduler.queueDepth()).toBe(2);
    expect((await lease('w_1')).jobId).toBe(paused.id);
    expect((await store.getJob(paused.id))?.state).toBe('RUNNING');
    expect(await scheduler.resume(paused.id)).toBe(false);
  });

  it('pauses a running job: no new leases, the running task’s result still counts', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3] });
    const running = await lease('w_1');
    expect(await scheduler.pause(id)).toBe(true);
    expect(await scheduler.leaseNext(asker('w_2'))).toBeUndefined();

    expect(await scheduler.complete('w_1', running.leaseId, doubled(running))).toBe('accepted');
    expect(scheduler.liveJob(id)?.states()[0]).toBe('done');
    expect((await store.getJob(id))?.state).toBe('PAUSED');

    expect(await scheduler.resume(id)).toBe(true);
    expect((await store.getJob(id))?.state).toBe('RUNNING');
    const next = await lease('w_2');
    expect(next.taskIndex).toBe(1);
  });

  it('completes a paused job whose last running task finishes', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1] });
    const running = await lease('w_1');
    await scheduler.pause(id);
    await scheduler.complete('w_1', running.leaseId, [2]);
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
    expect(await scheduler.resume(id)).toBe(false);
  });

  it('cancels a paused job', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1], runMode: 'paused' });
    expect(await scheduler.cancel(id)).toBe(true);
    expect((await store.getJob(id))?.state).toBe('CANCELLED');
  });

  it('leases a debug job only to debug workers, one task at a time, marked debug', async () => {
    const { scheduler, store, lease } = await setUp();
    const debugJob = await submitJob(scheduler, store, { items: [1, 2], runMode: 'debug', priority: 5 });
    const plain = await submitJob(scheduler, store, { items: [1, 2] });
    const debugger_ = asker('w_debug', { debug: true });

    // A plain worker gets the plain job, never the debug one.
    expect((await lease('w_plain')).jobId).toBe(plain.id);
    const first = await lease(debugger_);
    expect(first).toMatchObject({ jobId: debugJob.id, taskIndex: 0, debug: true });
    // One at a time: the next debug lease waits for the first to finish; meanwhile other jobs go on.
    expect((await lease(asker('w_debug2', { debug: true }))).jobId).toBe(plain.id);
    expect(await scheduler.leaseNext(debugger_)).toBeUndefined();
    await scheduler.complete('w_debug', first.leaseId, [2]);
    expect(await lease(debugger_)).toMatchObject({ jobId: debugJob.id, taskIndex: 1, debug: true });
  });
});

describe('Scheduler worker matching', () => {
  it('leases a WebGPU job only to a worker with WebGPU, and other jobs meanwhile to others', async () => {
    const { scheduler, store, lease } = await setUp();
    const gpuJob = await submitJob(scheduler, store, { items: [1], requires: { webgpu: true }, priority: 1 });
    expect(await scheduler.leaseNext(asker('w_cpu'))).toBeUndefined();
    const cpuJob = await submitJob(scheduler, store, { items: [1] });
    expect((await lease('w_cpu')).jobId).toBe(cpuJob.id);
    expect((await lease(asker('w_gpu', { webgpu: gpu }))).jobId).toBe(gpuJob.id);
  });

  it('matches runtime, cores and memory', async () => {
    const { scheduler, store, lease } = await setUp();
    const job = await submitJob(scheduler, store, { items: [1, 2], requires: { runtime: 'browser', minCores: 4, minMemoryGb: 2 } });
    for (const extra of [
      { runtime: 'node', hardwareConcurrency: 8, deviceMemory: 8 },
      { runtime: 'browser', hardwareConcurrency: 2, deviceMemory: 8 },
      { runtime: 'browser', deviceMemory: 8 },
      { runtime: 'browser', hardwareConcurrency: 8, deviceMemory: 1 },
    ] as const) {
      expect(await scheduler.leaseNext(asker('w_x', extra)), JSON.stringify(extra)).toBeUndefined();
    }
    expect((await lease(asker('w_ok', { runtime: 'browser', hardwareConcurrency: 4, deviceMemory: 2 }))).jobId).toBe(job.id);
  });

  it('says why a worker does not match, in words', () => {
    const node = asker('w').capabilities;
    expect(mismatch(node, undefined, false)).toBeUndefined();
    expect(mismatch(node, { webgpu: true }, false)).toBe('needs WebGPU');
    expect(mismatch({ ...node, webgpu: gpu }, { webgpu: true }, false)).toBeUndefined();
    expect(mismatch(node, { runtime: 'browser' }, false)).toBe('needs a browser worker');
    expect(mismatch(node, { minCores: 4 }, false)).toBe('needs 4 cores');
    expect(mismatch(node, { minMemoryGb: 4 }, false)).toBe('needs 4 GB of memory');
    expect(mismatch(node, undefined, true)).toMatch(/debug job needs a worker that joined with debug=1/);
    expect(mismatch({ ...node, debug: true }, undefined, true)).toBeUndefined();
  });
});
