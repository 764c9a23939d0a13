import { afterEach, describe, expect, it } from 'vitest';
import type { TaskLease } from '../../shared/index.js';
import { asker, makeSpec, submitJob, useSchedulers } from '../test-helpers.js';
import { gangWaitingReason, type GangLease, type Scheduler } from './index.js';

// Elastic gangs (a rendezvous window, re-forming without a lost member, growing at a checkpoint)
// and node workers, which take a gang only whole.

const LEASE_MS = 1_000;
const WINDOW_MS = 500;
const schedulers = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: 300 });
const opened: Scheduler[] = [];
// The scheduler writes log lines of its own here: close (flush) it before its store closes.
afterEach(async () => {
  for (const scheduler of opened.splice(0)) await scheduler.close();
});
async function setUp(options: Parameters<typeof schedulers.setUp>[0] = {}) {
  const parts = await schedulers.setUp(options);
  opened.push(parts.scheduler);
  return parts;
}
const tab = (id: string) => asker(id, { runtime: 'browser' });
const tabs = (...ids: string[]) => ids.map(tab);
const node = (id: string, asks: number) => ({ ...asker(id, { runtime: 'node' }), asks });
const leasesOf = async (granted: Promise<GangLease[]>): Promise<TaskLease[]> => (await granted).map((member) => member.lease);
const elastic = (min: number, max: number, extra: object = {}) => ({
  items: ['x'],
  gang: { min, max, rendezvousMs: WINDOW_MS },
  runMode: 'elastic' as const,
  ...extra,
});

async function logsOf(scheduler: Scheduler, store: Awaited<ReturnType<typeof setUp>>['store'], jobId: string): Promise<string[]> {
  await scheduler.flushLogs();
  return (await store.listLogs(jobId)).map((log) => log.message);
}

describe('Elastic gangs: forming', () => {
  it('starts at once with max workers when max are waiting', async () => {
    const { scheduler, store } = await setUp();
    await submitJob(scheduler, store, elastic(2, 3));
    const leases = await scheduler.leaseGang(tabs('a', 'b', 'c', 'd'));
    expect(leases.map((member) => member.workerId)).toEqual(['a', 'b', 'c']);
    expect(leases.map((member) => member.lease.gang?.size)).toEqual([3, 3, 3]);
  });

  it('with fewer than max, waits out the rendezvous window, then starts with those there (at least min)', async () => {
    const { scheduler, store, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, elastic(2, 3));
    expect(await scheduler.leaseGang(tabs('a', 'b'))).toEqual([]);
    clock.advance(WINDOW_MS - 1);
    expect(await scheduler.leaseGang(tabs('a', 'b'))).toEqual([]);
    expect(scheduler.hasReadyGang()).toBe(true);

    clock.advance(1);
    const leases = await scheduler.leaseGang(tabs('a', 'b'));
    expect(leases.map((member) => [member.workerId, member.lease.gang?.rank, member.lease.gang?.size])).toEqual([
      ['a', 0, 2],
      ['b', 1, 2],
    ]);
    expect(await logsOf(scheduler, store, id)).toEqual(['gang formed with 2 of 3 ranks (attempt 1)']);
  });

  it('says how many workers a waiting gang needs (for a job’s waitingReason)', () => {
    expect(gangWaitingReason(makeSpec(elastic(2, 4)).gang!, 1)).toBe(
      'a gang task waits for 2 to 4 workers together (1 connected can run it): browser tabs, or one node worker with --concurrency 2',
    );
    expect(gangWaitingReason(makeSpec({ items: ['x'], gang: { size: 3 } }).gang!, 0)).toMatch(/^a gang task waits for 3 workers together \(0 connected/);
  });

  it('waits with fewer than min workers, however long', async () => {
    const { scheduler, store, clock } = await setUp();
    await submitJob(scheduler, store, elastic(3, 4));
    clock.advance(60_000);
    expect(await scheduler.leaseGang(tabs('a', 'b'))).toEqual([]);
    expect(await scheduler.leaseGang(tabs('a', 'b', 'c'))).toHaveLength(3);
  });

  it('wakes the waiting workers when the window ends, through the ready notification', async () => {
    const { scheduler, store } = await setUp({ now: () => Date.now() });
    await submitJob(scheduler, store, { ...elastic(2, 3), gang: { min: 2, max: 3, rendezvousMs: 30 } });
    const woken = new Promise<void>((resolve) => scheduler.onReady(resolve));
    expect(await scheduler.leaseGang(tabs('a', 'b'))).toEqual([]);
    await woken;
    expect(await scheduler.leaseGang(tabs('a', 'b'))).toHaveLength(2);
  });
});

describe('Elastic gangs: re-forming without a lost member', () => {
  it('re-forms from the checkpoint with the members left when one lapses: a lapse, not a failure', async () => {
    const { scheduler, store, clock, revokes, task } = await setUp();
    const { id } = await submitJob(scheduler, store, elastic(2, 3));
    const first = await leasesOf(scheduler.leaseGang(tabs('a', 'b', 'c')));
    expect(await scheduler.checkpoint('a', first[0]!.leaseId, { step: 5 })).toEqual({ status: 'stored' });

    clock.advance(LEASE_MS / 2);
    scheduler.heartbeat('a');
    scheduler.heartbeat('c');
    clock.advance(LEASE_MS / 2);
    await scheduler.sweep();

    expect(revokes).toEqual([
      { workerId: 'b', leaseId: first[1]!.leaseId, reason: 'lease lapsed' },
      { workerId: 'a', leaseId: first[0]!.leaseId, reason: 'gang re-forming without rank 1: lease lapsed on worker b' },
      { workerId: 'c', leaseId: first[2]!.leaseId, reason: 'gang re-forming without rank 1: lease lapsed on worker b' },
    ]);
    expect(task(id, 0)).toMatchObject({ state: 'ready', readyAt: 0, failures: 0, lapses: 1 });

    // The members told to stop ask again; without the lost one the gang waits out the window.
    expect(await scheduler.leaseGang(tabs('a', 'c'))).toEqual([]);
    clock.advance(WINDOW_MS);
    const second = await leasesOf(scheduler.leaseGang(tabs('a', 'c')));
    expect(second.map((lease) => [lease.gang?.size, lease.restored, lease.attempt])).toEqual([
      [2, { step: 5 }, 2],
      [2, { step: 5 }, 2],
    ]);
    expect(await logsOf(scheduler, store, id)).toEqual([
      'gang formed with 3 of 3 ranks (attempt 1)',
      'gang re-forming without rank 1: lease lapsed on worker b',
      'gang re-formed with 2 of 3 ranks (attempt 2)',
    ]);
  });

  it('re-forms when a member reports a lost peer (cause gang); later reports of that attempt are ignored', async () => {
    const { scheduler, store, revokes, task } = await setUp();
    const { id } = await submitJob(scheduler, store, elastic(2, 3));
    const first = await leasesOf(scheduler.leaseGang(tabs('a', 'b', 'c')));

    expect(await scheduler.fail('a', first[0]!.leaseId, { message: 'PeerLostError: rank 1 left', cause: 'gang' })).toBe('accepted');
    expect(revokes.map((revoke) => revoke.workerId)).toEqual(['b', 'c']);
    expect(revokes[0]!.reason).toBe('gang re-forming: rank 0 lost a peer: PeerLostError: rank 1 left');
    expect(await scheduler.fail('c', first[2]!.leaseId, { message: 'PeerLostError', cause: 'gang' })).toBe('ignored');
    expect(task(id, 0)).toMatchObject({ state: 'ready', readyAt: 0, failures: 0, lapses: 1 });
    expect(await scheduler.leaseGang(tabs('a', 'c', 'd'))).toHaveLength(3);
  });

  it('counts a member’s own failure (no cause) as a failure, with backoff', async () => {
    const { scheduler, store, clock, revokes, task } = await setUp();
    const { id } = await submitJob(scheduler, store, elastic(2, 3));
    const first = await leasesOf(scheduler.leaseGang(tabs('a', 'b', 'c')));

    expect(await scheduler.fail('b', first[1]!.leaseId, { message: 'TypeError: x is undefined' })).toBe('accepted');
    expect(revokes.map((revoke) => revoke.reason)).toEqual([
      'gang attempt ended: rank 1 failed: TypeError: x is undefined',
      'gang attempt ended: rank 1 failed: TypeError: x is undefined',
    ]);
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 1, lapses: 0 });
    expect(task(id, 0).readyAt).toBeGreaterThan(clock.now());
  });

  it('fails the job once re-forming has used up retry.maxLapses', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { ...elastic(2, 3), gang: { min: 2, max: 3, rendezvousMs: 0 }, retry: { maxLapses: 2 } });
    for (let round = 0; round < 2; round++) {
      const leases = await leasesOf(scheduler.leaseGang(tabs('a', 'b')));
      expect(leases).toHaveLength(2);
      await scheduler.fail('a', leases[0]!.leaseId, { message: 'PeerLostError', cause: 'gang' });
    }
    const job = await store.getJob(id);
    expect(job).toMatchObject({ state: 'FAILED', error: { message: 'the gang lost a member 2 times', taskIndex: 0 } });
  });

  it('leaves fixed gangs as they were: a lost peer (cause gang) counts as a failure', async () => {
    const { scheduler, store, task } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 2 } });
    const first = await leasesOf(scheduler.leaseGang(tabs('a', 'b')));
    await scheduler.fail('a', first[0]!.leaseId, { message: 'PeerLostError', cause: 'gang' });
    expect(task(id, 0)).toMatchObject({ failures: 1, lapses: 0 });
  });
});

describe('Elastic gangs: growing at a checkpoint', () => {
  /** A gang of a and b (min 2, max 3) running after the window; answers their leases. */
  async function runningWithTwo() {
    const parts = await setUp();
    const job = await submitJob(parts.scheduler, parts.store, elastic(2, 3));
    parts.clock.advance(WINDOW_MS);
    const leases = await leasesOf(parts.scheduler.leaseGang(tabs('a', 'b')));
    expect(leases).toHaveLength(2);
    return { ...parts, id: job.id, leases };
  }

  it('re-forms to take in a worker waiting when a checkpoint is stored, counting nothing', async () => {
    const { scheduler, store, revokes, task, id, leases } = await runningWithTwo();
    const woken: string[] = [];
    scheduler.onReady(() => woken.push('ready'));
    expect(await scheduler.checkpoint('a', leases[0]!.leaseId, { step: 9 })).toEqual({ status: 'stored' });
    expect(woken).toEqual(['ready']);
    expect(scheduler.hasReadyGang()).toBe(true);

    expect(await scheduler.leaseGang(tabs('c'))).toEqual([]);
    expect(revokes).toEqual([
      { workerId: 'a', leaseId: leases[0]!.leaseId, reason: 'gang re-forming at checkpoint to add 1 worker' },
      { workerId: 'b', leaseId: leases[1]!.leaseId, reason: 'gang re-forming at checkpoint to add 1 worker' },
    ]);
    expect(task(id, 0)).toMatchObject({ state: 'ready', failures: 0, lapses: 0 });

    const grown = await leasesOf(scheduler.leaseGang(tabs('c', 'a', 'b')));
    expect(grown.map((lease) => [lease.gang?.size, lease.restored])).toEqual([
      [3, { step: 9 }],
      [3, { step: 9 }],
      [3, { step: 9 }],
    ]);
    expect(await logsOf(scheduler, store, id)).toContain('gang re-formed with 3 of 3 ranks (attempt 2)');
  });

  it('does not grow without a new checkpoint, nor for a worker that came after the checkpoint was looked at', async () => {
    const { scheduler, revokes, leases } = await runningWithTwo();
    expect(scheduler.hasReadyGang()).toBe(false);
    expect(await scheduler.leaseGang(tabs('c'))).toEqual([]);

    await scheduler.checkpoint('a', leases[0]!.leaseId, { step: 1 });
    expect(await scheduler.leaseGang([])).toEqual([]);
    expect(scheduler.hasReadyGang()).toBe(false);
    expect(await scheduler.leaseGang(tabs('c'))).toEqual([]);
    expect(revokes).toEqual([]);

    await scheduler.checkpoint('a', leases[0]!.leaseId, { step: 2 });
    await scheduler.leaseGang(tabs('c'));
    expect(revokes).toHaveLength(2);
  });

  it('does not grow a gang at max, nor by workers that do not match, nor by its own members', async () => {
    const { scheduler, store, revokes } = await setUp();
    await submitJob(scheduler, store, { ...elastic(2, 3), requires: { webgpu: true } });
    const gpu = { vendor: 'v', architecture: 'a' };
    const full = await leasesOf(scheduler.leaseGang(['a', 'b', 'c'].map((id) => asker(id, { runtime: 'browser', webgpu: gpu }))));
    expect(full).toHaveLength(3);
    await scheduler.checkpoint('a', full[0]!.leaseId, { step: 1 });
    expect(scheduler.hasReadyGang()).toBe(false);
    expect(revokes).toEqual([]);
  });
});

describe('Gangs on node workers', () => {
  it('gives every rank to a node worker with as many asks parked, one lease each', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 3 } });
    const leases = await scheduler.leaseGang([node('n', 3)]);
    expect(leases.map((member) => [member.workerId, member.lease.gang?.rank])).toEqual([
      ['n', 0],
      ['n', 1],
      ['n', 2],
    ]);
    expect(new Set(leases.map((member) => member.lease.leaseId)).size).toBe(3);
    for (const { lease } of leases) expect(await scheduler.complete('n', lease.leaseId, [`rank ${lease.gang!.rank}`])).toBe('accepted');
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
  });

  it('never mixes a node worker with other workers, and gives none too few asks', async () => {
    const { scheduler, store } = await setUp();
    await submitJob(scheduler, store, { items: ['x'], gang: { size: 3 } });
    expect(await scheduler.leaseGang([tab('a'), tab('b'), node('n', 1)])).toEqual([]);
    expect(await scheduler.leaseGang([node('n', 2), node('m', 2)])).toEqual([]);
    const leases = await scheduler.leaseGang([tab('a'), tab('b'), node('n', 4)]);
    expect(leases.map((member) => member.workerId)).toEqual(['n', 'n', 'n']);
  });

  it('takes between min and max ranks of an elastic gang, one per ask', async () => {
    const { scheduler, store, clock } = await setUp();
    await submitJob(scheduler, store, { ...elastic(2, 4), items: ['x', 'y'] });
    expect(await scheduler.leaseGang([node('n', 1)])).toEqual([]);
    expect(await scheduler.leaseGang([node('n', 6)])).toHaveLength(4);
    clock.advance(WINDOW_MS);
    expect(await scheduler.leaseGang([node('m', 3)])).toHaveLength(3);
  });

  it('re-forms once when a node worker running a whole elastic gang is lost', async () => {
    const { scheduler, store, clock, task } = await setUp();
    const { id } = await submitJob(scheduler, store, elastic(2, 3));
    expect(await scheduler.leaseGang([node('n', 3)])).toHaveLength(3);
    clock.advance(LEASE_MS);
    await scheduler.sweep();
    expect(task(id, 0)).toMatchObject({ state: 'ready', lapses: 1, failures: 0 });
  });
});
