import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/index.js';
import { asker, doubled, itemsOf, submitJob, useSchedulers, useTempDirs } from '../test-helpers.js';

// Task graphs: dependencies between items (mapped onto tasks), reduce steps, range and blob inputs.

const { setUp } = useSchedulers({ leaseMs: 60_000, disconnectGraceMs: 1_000 });
const newTempDir = useTempDirs();

const chain = (from: number, to: number): [number, number][] => Array.from({ length: to - from }, (_, i) => [from + i, from + i + 1]);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('Scheduler: task dependencies', () => {
  it('keeps a task blocked until all its predecessors are done, then leases it with their outputs', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3, 4], dependencies: [[0, 2], [1, 2], [2, 3]] });
    expect((await store.listTasks(id)).map((t) => t.state)).toEqual(['ready', 'ready', 'blocked', 'blocked']);
    expect(scheduler.queueDepth()).toBe(2);
    let readyCalls = 0;
    scheduler.onReady(() => readyCalls++);

    const first = await lease('w_1');
    const second = await lease('w_2');
    expect([first.taskIndex, second.taskIndex]).toEqual([0, 1]);
    expect(first.input).toEqual({ kind: 'items', firstItem: 0, items: [1] });
    expect(await scheduler.leaseNext(asker('w_3'))).toBeUndefined();

    await scheduler.complete('w_1', first.leaseId, [10]);
    expect(task(id, 2).state).toBe('blocked');
    expect(await scheduler.leaseNext(asker('w_3'))).toBeUndefined();
    expect(readyCalls).toBe(0);

    await scheduler.complete('w_2', second.leaseId, [20]);
    expect(task(id, 2).state).toBe('ready');
    expect((await store.listTasks(id))[2]?.state).toBe('ready');
    expect(readyCalls).toBe(1);
    const third = await lease('w_3');
    expect(third).toMatchObject({ taskIndex: 2 });
    expect(third.input).toEqual({ kind: 'items', firstItem: 2, items: [3], predecessors: { 2: [0, 1] }, predecessorOutputs: { 0: 10, 1: 20 } });
    expect(task(id, 3).state).toBe('blocked');

    await scheduler.complete('w_3', third.leaseId, [30]);
    const fourth = await lease('w_1');
    expect(fourth.input).toEqual({ kind: 'items', firstItem: 3, items: [4], predecessors: { 3: [2] }, predecessorOutputs: { 2: 30 } });
    await scheduler.complete('w_1', fourth.leaseId, [40]);
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
  });

  it('passes only outputs from other tasks: an edge inside a chunk is the task’s own business', async () => {
    const { scheduler, store, lease } = await setUp();
    await submitJob(scheduler, store, { items: ['a', 'b', 'c', 'd'], chunkSize: 2, dependencies: [[0, 1], [1, 2]] });
    const first = await lease('w_1');
    expect(first.input).toEqual({ kind: 'items', firstItem: 0, items: ['a', 'b'], predecessors: { 1: [0] }, predecessorOutputs: {} });
    expect(await scheduler.leaseNext(asker('w_2'))).toBeUndefined();
    await scheduler.complete('w_1', first.leaseId, ['A', 'B']);
    const second = await lease('w_2');
    expect(second.input).toEqual({ kind: 'items', firstItem: 2, items: ['c', 'd'], predecessors: { 2: [1] }, predecessorOutputs: { 1: 'B' } });
  });

  it('runs two independent chains side by side: two workers finish 60 tasks in 30 rounds', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: range(0, 60), dependencies: [...chain(0, 29), ...chain(30, 59)] });
    const order: number[] = [];
    let rounds = 0;
    while (scheduler.liveJob(id) && rounds < 60) {
      rounds++;
      const granted = [];
      for (const worker of ['w_a', 'w_b']) {
        const lease = await scheduler.leaseNext(asker(worker));
        if (lease) granted.push({ worker, lease });
      }
      expect(granted.length, `round ${rounds}`).toBeGreaterThan(0);
      for (const { worker, lease } of granted) {
        order.push(lease.taskIndex);
        expect(await scheduler.complete(worker, lease.leaseId, doubled(lease))).toBe('accepted');
      }
    }
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
    expect(order).toHaveLength(60);
    expect(rounds).toBe(30);
    // After the first 30 leases each chain is half done, in its own order.
    const firstHalf = order.slice(0, 30);
    expect(firstHalf.filter((index) => index < 30)).toEqual(range(0, 15));
    expect(firstHalf.filter((index) => index >= 30)).toEqual(range(30, 45));
    expect(order.filter((index) => index < 30)).toEqual(range(0, 30));
  });

  it('gives a range task its sub-range and the outputs of the tasks it waits for', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { input: { range: { start: 0, end: 10, step: 2 }, chunkSize: 2 }, dependencies: [[0, 2]] });
    expect((await store.getJob(id))?.itemCount).toBe(3);
    const first = await lease('w_1');
    const second = await lease('w_1');
    expect([first.input, second.input]).toEqual([
      { kind: 'range', start: 0, end: 4, step: 2 },
      { kind: 'range', start: 4, end: 8, step: 2 },
    ]);
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    await scheduler.complete('w_1', first.leaseId, [{ sum: 2 }]);
    const third = await lease('w_1');
    expect(third.input).toEqual({ kind: 'range', start: 8, end: 10, step: 2, predecessors: { 2: [0] }, predecessorOutputs: { 0: { sum: 2 } } });
    // One output per range task.
    expect(await scheduler.complete('w_1', third.leaseId, [1, 2])).toBe('accepted');
    expect(scheduler.liveJob(id)?.task(2)).toMatchObject({ state: 'ready', failures: 1 });
  });

  it('gives a blob task the byte range of its shard', async () => {
    const { scheduler, store, lease } = await setUp();
    const bytes = new TextEncoder().encode('one\r\ntwo\r\nthree');
    const sha = await sha256Hex(bytes);
    await store.putBlob(sha, bytes);
    await submitJob(scheduler, store, { input: { blob: sha, shardRecords: 2, separator: '\r\n' } });
    const shards = [await lease('w_1'), await lease('w_1')];
    expect(shards.map((shard) => shard.input)).toEqual([
      { kind: 'blob', blob: sha, offset: 0, length: 10, records: true, separator: '\r\n' },
      { kind: 'blob', blob: sha, offset: 10, length: 5, records: true, separator: '\r\n' },
    ]);
  });
});

describe('Scheduler: reduce', () => {
  it('runs the reduce module once every task is done, with all outputs in order', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const reduce = 'export default (outputs) => outputs.reduce((a, b) => a + b, 0)';
    const { id } = await submitJob(scheduler, store, { items: [1, 2, 3, 4, 5], chunkSize: 2, reduce });
    const job = await store.getJob(id);
    expect(job).toMatchObject({ itemCount: 5, taskCount: 4 });
    expect(job?.spec.reduce).toEqual({ blob: await sha256Hex(reduce) });
    expect(task(id, 3)).toMatchObject({ state: 'blocked', firstItem: 5, itemCount: 1 });

    const leases = [await lease('w_1'), await lease('w_1'), await lease('w_1')];
    expect(await scheduler.leaseNext(asker('w_1'))).toBeUndefined();
    for (const granted of leases.reverse()) {
      expect(task(id, 3).state).toBe('blocked');
      await scheduler.complete('w_1', granted.leaseId, doubled(granted));
    }
    const reduction = await lease('w_2');
    expect(reduction).toMatchObject({ taskIndex: 3, code: await sha256Hex(reduce), input: { kind: 'reduce', outputs: [2, 4, 6, 8, 10] } });
    expect(leases[0]!.code).toBe(job?.codeSha);
    expect((await store.getJob(id))?.state).toBe('RUNNING');
    // The reduce step is no map task: the three are done, and it runs apart.
    expect(scheduler.liveJob(id)?.progress()).toEqual({ total: 3, done: 3, failed: 0, running: 0, reduce: 'running' });
    await scheduler.complete('w_2', reduction.leaseId, [30]);
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
    expect((await store.listOutputs(id)).at(-1)).toEqual({ index: 3, firstItem: 5, output: [30] });
  });
});

describe('Scheduler: task graphs across a restart', () => {
  it('keeps blocked tasks blocked and ready ones ready: a task done and its successor freed are one commit', async () => {
    const path = join(await newTempDir(), 'tabgrid.db');
    const before = await setUp({ path });
    const { id } = await submitJob(before.scheduler, before.store, { items: [1, 2, 3, 4], dependencies: [[0, 1], [2, 3]] });
    const l0 = await before.lease('w_1');
    const l2 = await before.lease('w_1');
    expect(itemsOf(l2)).toEqual([3]);
    await before.scheduler.complete('w_1', l0.leaseId, [2]);

    const after = await setUp({ path, clock: before.clock });
    expect(after.scheduler.liveJob(id)?.states()).toEqual(['done', 'ready', 'leased', 'blocked']);
    expect((await after.store.listTasks(id)).map((t) => t.state)).toEqual(['done', 'ready', 'leased', 'blocked']);
    const freed = await after.lease('w_2');
    expect([freed.taskIndex, freed.input.kind === 'items' && freed.input.predecessorOutputs]).toEqual([1, { 0: 2 }]);
    // The worker that held task 2 comes back to the new process and reports it: its successor is freed.
    expect((await after.scheduler.reattach('w_1', [l2.leaseId])).kept).toEqual([l2.leaseId]);
    expect(await after.scheduler.complete('w_1', l2.leaseId, [6])).toBe('accepted');
    const last = await after.lease('w_2');
    expect([last.taskIndex, last.input.kind === 'items' && last.input.predecessorOutputs]).toEqual([3, { 2: 6 }]);
  });
});
