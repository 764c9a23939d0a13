import { describe, expect, it } from 'vitest';
import { NO_BACKOFF, asker, submitJob, useSchedulers } from '../test-helpers.js';
import type { GangLease } from './index.js';

// Gangs: a task leased to several workers at once, done when all report, retried whole.

const LEASE_MS = 1_000;
const { setUp } = useSchedulers({ leaseMs: LEASE_MS, disconnectGraceMs: 300 });
/** Browser tabs, one rank each (a node worker takes a gang only whole: see scheduler-elastic.test.ts). */
const tab = (id: string) => asker(id, { runtime: 'browser' });
const workers = (count: number) => Array.from({ length: count }, (_, index) => tab(`w_${index}`));
const leasesOf = async (granted: Promise<GangLease[]>) => (await granted).map((member) => member.lease);

describe('Scheduler gangs', () => {
  it('leases a gang task only when enough workers wait, all at once, with ranks and unguessable peer ids', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: [{ steps: 3 }], gang: { size: 3 } });

    expect(await scheduler.leaseNext(asker('w_0'))).toBeUndefined();
    expect((await scheduler.leaseGang(workers(2))).length).toBe(0);

    const leases = await scheduler.leaseGang(workers(4));
    expect(leases.map((member) => member.workerId)).toEqual(['w_0', 'w_1', 'w_2']);
    const members = leases.map((member) => member.lease);
    expect(members.map((lease) => lease.gang?.rank)).toEqual([0, 1, 2]);
    expect(new Set(members.map((lease) => lease.gang?.attempt)).size).toBe(1);
    const peerIds = members[0]!.gang!.peerIds;
    expect(new Set(peerIds).size).toBe(3);
    for (const peerId of peerIds) {
      expect(peerId.length).toBeGreaterThanOrEqual(24);
      expect(scheduler.isIssuedPeer(peerId)).toBe(true);
    }
    expect(scheduler.isIssuedPeer('peer_guessed')).toBe(false);
    expect(members.every((lease) => JSON.stringify(lease.gang!.peerIds) === JSON.stringify(peerIds))).toBe(true);
    expect(scheduler.liveJob(id)?.record.state).toBe('RUNNING');
  });

  it('leases a debug gang only to workers that joined with debug=1, and marks its leases debug', async () => {
    const { scheduler, store } = await setUp();
    await submitJob(scheduler, store, { items: ['x'], gang: { size: 2 }, runMode: 'debug' });
    expect(await scheduler.leaseGang(workers(3))).toEqual([]);
    const debugTabs = ['d_0', 'd_1'].map((id) => asker(id, { runtime: 'browser', debug: true }));
    const leases = await leasesOf(scheduler.leaseGang([...workers(2), ...debugTabs]));
    expect(leases.map((lease) => lease.debug)).toEqual([true, true]);
  });

  it('is done when every member reported; the result rank’s output is the task’s', async () => {
    const { scheduler, store } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 2, resultRank: 1 } });
    const leases = await leasesOf(scheduler.leaseGang(workers(2)));

    expect(await scheduler.complete('w_1', leases[1]!.leaseId, ['from rank 1'])).toBe('accepted');
    expect(scheduler.liveJob(id)?.task(0)?.state).toBe('leased');
    expect(await scheduler.complete('w_0', leases[0]!.leaseId, ['from rank 0'])).toBe('accepted');
    expect((await store.getJob(id))?.state).toBe('COMPLETED');
    expect((await store.listOutputs(id))[0]?.output).toEqual(['from rank 1']);
    expect(scheduler.isIssuedPeer(leases[0]!.gang!.peerIds[0]!)).toBe(false);
  });

  it('fails the whole attempt when one member fails: the others are revoked, the task retried by a new gang', async () => {
    const { scheduler, store, revokes } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 2 }, retry: NO_BACKOFF });
    const first = await leasesOf(scheduler.leaseGang(workers(2)));

    expect(await scheduler.fail('w_1', first[1]!.leaseId, { message: 'rank 1 broke' })).toBe('accepted');
    expect(revokes).toEqual([{ workerId: 'w_0', leaseId: first[0]!.leaseId, reason: expect.stringContaining('rank 1 failed') as string }]);
    expect(await scheduler.complete('w_0', first[0]!.leaseId, ['late'])).toBe('ignored');

    const second = await leasesOf(scheduler.leaseGang([tab('w_2'), tab('w_3')]));
    expect(second[0]).toMatchObject({ attempt: 2 });
    expect(second[0]!.gang!.attempt).not.toBe(first[0]!.gang!.attempt);
    expect(scheduler.liveJob(id)?.task(0)).toMatchObject({ failures: 1, attempts: 2 });
  });

  it('ends the attempt when a member is lost, and the next one starts from the gang’s checkpoint', async () => {
    const { scheduler, store, revokes, clock } = await setUp();
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 2 } });
    const first = await leasesOf(scheduler.leaseGang(workers(2)));
    expect(await scheduler.checkpoint('w_0', first[0]!.leaseId, { step: 5 })).toEqual({ status: 'stored' });

    clock.advance(LEASE_MS / 2);
    scheduler.heartbeat('w_0');
    clock.advance(LEASE_MS / 2);
    await scheduler.sweep();

    expect(revokes.map((revoke) => revoke.workerId).sort()).toEqual(['w_0', 'w_1']);
    expect(scheduler.liveJob(id)?.task(0)).toMatchObject({ state: 'ready', lapses: 1 });
    const second = await leasesOf(scheduler.leaseGang(workers(2)));
    expect(second.map((lease) => lease.restored)).toEqual([{ step: 5 }, { step: 5 }]);
  });

  it('takes between min and max ranks in elastic mode', async () => {
    const { scheduler, store } = await setUp();
    await submitJob(scheduler, store, { items: ['x'], gang: { min: 2, max: 3 }, runMode: 'elastic' });
    expect((await scheduler.leaseGang(workers(1))).length).toBe(0);
    const leases = await leasesOf(scheduler.leaseGang(workers(5)));
    expect(leases).toHaveLength(3);
    expect(leases[0]!.gang!.size).toBe(3);
    await scheduler.close(); // it logged the gang's forming: written before the store closes
  });

  it('does not recover gang attempts after a restart: the task is ready again', async () => {
    const path = ':memory:';
    const { scheduler, store } = await setUp({ path });
    const { id } = await submitJob(scheduler, store, { items: ['x'], gang: { size: 2 } });
    await scheduler.leaseGang(workers(2));
    const { scheduler: reopened } = await setUp({ store });
    expect(reopened.liveJob(id)?.task(0)?.state).toBe('ready');
  });
});
