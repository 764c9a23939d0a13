import { describe, expect, it } from 'vitest';
import type { Asker } from './index.js';
import { asker, submitJob, useSchedulers } from '../test-helpers.js';

const { setUp } = useSchedulers({ leaseMs: 1_000, disconnectGraceMs: 300 });

const on = (id: string, host?: string): Asker => ({ ...asker(id), host });

describe('Scheduler: validation by replication', () => {
  it('hands a task to as many distinct workers as replicas, never twice to one, and accepts what the quorum says', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [5], validation: { replicas: 3, quorum: 2 } });
    const first = await lease('a');
    expect(await scheduler.leaseNext(asker('a'))).toBeUndefined();
    const second = await lease('b');
    const third = await lease('c');
    expect([first, second, third].map((each) => each.taskIndex)).toEqual([0, 0, 0]);
    expect(task(id, 0).state).toBe('leased');

    expect(await scheduler.complete('a', first.leaseId, [999])).toBe('accepted');
    expect(await scheduler.complete('b', second.leaseId, [10])).toBe('accepted');
    expect(task(id, 0).state).toBe('leased');
    expect(await scheduler.complete('c', third.leaseId, [10])).toBe('accepted');
    expect((await store.listTasks(id))[0]).toMatchObject({ state: 'done', output: [10] });
    expect(await store.getJob(id)).toMatchObject({ state: 'COMPLETED' });
    expect(await scheduler.workerRecord('a')).toMatchObject({ invalid: 1, streak: 0 });
    expect(await scheduler.workerRecord('b')).toMatchObject({ valid: 1, streak: 1 });
    expect(scheduler.validationStats(id)).toEqual({ leases: 3, accepted: 1, checked: 1, disagreements: 1, rechecked: 0 });
  });

  it('stops the replicas still out once a quorum agrees', async () => {
    const { scheduler, store, lease, revokes } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [5], validation: { replicas: 3, quorum: 2 } });
    const [a, b, c] = [await lease('a'), await lease('b'), await lease('c')];
    await scheduler.complete('a', a.leaseId, [10]);
    await scheduler.complete('b', b.leaseId, [10]);
    expect(scheduler.liveJob(id)).toBeUndefined();
    expect(revokes).toEqual([{ workerId: 'c', leaseId: c.leaseId, reason: 'enough replicas agreed' }]);
    expect(await scheduler.complete('c', c.leaseId, [11])).toBe('ignored');
  });

  it('asks for one more replica to break a tie, and fails the task naming the workers when maxReplicas cannot', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [5], validation: { replicas: 2, quorum: 2, maxReplicas: 3 } });
    const [a, b] = [await lease('a'), await lease('b')];
    await scheduler.complete('a', a.leaseId, [1]);
    await scheduler.complete('b', b.leaseId, [2]);
    expect(task(id, 0).state).toBe('leased');
    const c = await lease('c');
    expect(c.taskIndex).toBe(0);
    expect(await scheduler.leaseNext(asker('d'))).toBeUndefined();
    await scheduler.complete('c', c.leaseId, [3]);
    expect(await store.getJob(id)).toMatchObject({
      state: 'FAILED',
      error: { message: 'no quorum: 3 results, no 2 of them agree (workers a, b, c disagree)', taskIndex: 0 },
    });
  });

  it('gives a second replica only to another host, where it can tell hosts apart', async () => {
    const { scheduler, store, lease } = await setUp();
    await submitJob(scheduler, store, { items: [5], validation: { replicas: 2, quorum: 2 } });
    await lease(on('a', '203.0.113.9'));
    expect(await scheduler.leaseNext(on('b', '203.0.113.9'))).toBeUndefined();
    expect((await lease(on('c', '198.51.100.4'))).taskIndex).toBe(0);
  });

  it('refuses a replica\'s checkpoint: no other replica may start from one stranger\'s state', async () => {
    const { scheduler, store, lease } = await setUp();
    await submitJob(scheduler, store, { items: [5], validation: { replicas: 2 } });
    const a = await lease('a');
    expect(await scheduler.checkpoint('a', a.leaseId, { step: 1 })).toMatchObject({ status: 'refused' });
  });

  it('runs a trusted worker alone, and checks its results again once it is caught', async () => {
    const { scheduler, store, lease, task } = await setUp({ random: () => 0.99 });
    await store.write([{ type: 'putWorker', record: { id: 'trusted', valid: 100, invalid: 0, streak: 100, errors: 0, recent: 0, quarantined: false, note: null, updatedAt: 0 } }]);
    await scheduler.workerRecord('trusted');
    const { id } = await submitJob(scheduler, store, { items: [1, 2], validation: { replicas: 2, quorum: 2 } });
    const alone = await lease('trusted');
    await scheduler.complete('trusted', alone.leaseId, [666]);
    expect(task(id, alone.taskIndex)).toMatchObject({ state: 'done', output: [666] });
    expect(scheduler.validationStats(id)).toMatchObject({ leases: 1, accepted: 1, checked: 0 });

    await scheduler.setQuarantined('trusted', true, 'caught elsewhere');
    expect(task(id, alone.taskIndex)).toMatchObject({ state: 'ready', output: null, excluded: ['trusted'] });
    expect(await scheduler.leaseNext(asker('trusted'))).toBeUndefined();
    const [x, y] = [await lease('x'), await lease('y')];
    expect([x.taskIndex, y.taskIndex]).toEqual([alone.taskIndex, alone.taskIndex]);
    await scheduler.complete('x', x.leaseId, [2 * (alone.taskIndex + 1)]);
    await scheduler.complete('y', y.leaseId, [2 * (alone.taskIndex + 1)]);
    expect(task(id, alone.taskIndex)).toMatchObject({ state: 'done', output: [2 * (alone.taskIndex + 1)] });
    expect(scheduler.validationStats(id)).toMatchObject({ rechecked: 1 });
  });

  it('lets no single worker fail a validated task: its failures only make way for other replicas', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [5], validation: { replicas: 2, quorum: 2 }, retry: { maxAttempts: 1 } });
    const bad = await lease('bad');
    await scheduler.fail('bad', bad.leaseId, { message: 'on purpose' });
    expect(task(id, 0).state).toBe('leased');
    const [a, b] = [await lease('a'), await lease('b')];
    await scheduler.complete('a', a.leaseId, [10]);
    await scheduler.complete('b', b.leaseId, [10]);
    expect(await store.getJob(id)).toMatchObject({ state: 'COMPLETED' });
    expect(await scheduler.workerRecord('bad')).toMatchObject({ errors: 1 });
  });
});

describe('Scheduler: a task fails its job only on distinct workers', () => {
  it('keeps a task one worker failed maxAttempts times for another worker, which then may fail the job', async () => {
    const { scheduler, store, lease, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [5], retry: { maxAttempts: 2, backoff: { initialMs: 0 } } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const mine = await lease('saboteur');
      await scheduler.fail('saboteur', mine.leaseId, { message: 'no' });
    }
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 2, failedOn: ['saboteur'], excluded: ['saboteur'] });
    expect(await scheduler.leaseNext(asker('saboteur'))).toBeUndefined();
    const honest = await lease('honest');
    await scheduler.fail('honest', honest.leaseId, { message: 'really broken' });
    expect(await store.getJob(id)).toMatchObject({ state: 'FAILED', error: { message: 'really broken' } });
  });

  it('keeps the tally and the exclusions across a restart', async () => {
    const { scheduler, store, lease } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [5], retry: { maxAttempts: 1, backoff: { initialMs: 0 } } });
    const mine = await lease('saboteur');
    await scheduler.fail('saboteur', mine.leaseId, { message: 'no' });
    await scheduler.close();
    const reopened = await setUp({ store });
    expect(reopened.task(id, 0)).toMatchObject({ failedOn: ['saboteur'], excluded: ['saboteur'] });
    expect(await reopened.scheduler.leaseNext(asker('saboteur'))).toBeUndefined();
    expect((await reopened.lease('other')).taskIndex).toBe(0);
  });
});
