import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinFakeWorker, openParts, settle, submitJob, type Parts } from '../test-helpers.js';

// Gang tasks through the gateway on in-memory sockets: node workers taking a whole gang, and
// elastic gangs that wait for workers, re-form without a lost one and grow at a checkpoint.

const GRACE_MS = 1_000;

let parts: Parts;
let workers: Awaited<ReturnType<typeof joinFakeWorker>>[];

beforeEach(async () => {
  parts = await openParts(':memory:', { leaseMs: 30_000, heartbeatMs: 10_000, disconnectGraceMs: GRACE_MS });
  workers = [];
});

afterEach(async () => {
  for (const worker of workers) expect(worker.socket.received.invalid, 'messages that break the protocol schema').toEqual([]);
  await parts.close();
});

async function join(workerId: string, runtime: 'browser' | 'node' = 'browser') {
  const worker = await joinFakeWorker(parts.gateway, workerId, { runtime });
  workers.push(worker);
  return worker;
}

const submit = (overrides: Parameters<typeof submitJob>[2] = {}) => submitJob(parts.scheduler, parts.store, overrides);
const elastic = (min: number, max: number, rendezvousMs: number) => ({ items: ['x'], gang: { min, max, rendezvousMs }, runMode: 'elastic' as const });

describe('WorkerGateway gangs on node workers', () => {
  it('gives a node worker a whole gang, one lease per parked ask, and no more', async () => {
    const worker = await join('n', 'node');
    for (let ask = 0; ask < 3; ask++) await worker.send({ type: 'ask' });
    const job = await submit({ items: ['x'], gang: { size: 3 } });

    const third = await worker.socket.received.waitFor('lease', 3);
    const leases = worker.socket.received.of('lease');
    expect(leases.map((lease) => [lease.jobId, lease.gang?.rank, lease.gang?.attempt])).toEqual([
      [job.id, 0, third.gang!.attempt],
      [job.id, 1, third.gang!.attempt],
      [job.id, 2, third.gang!.attempt],
    ]);

    // Its three asks are answered: a new job waits for its next ask.
    const plain = await submit({ items: [1] });
    await settle();
    expect(worker.socket.received.of('lease')).toHaveLength(3);
    await worker.send({ type: 'ask' });
    expect(await worker.socket.received.waitFor('lease', 4)).toMatchObject({ jobId: plain.id });
  });

  it('never puts a node worker in a gang of tabs', async () => {
    const tabs = [await join('a'), await join('b')];
    const nodeWorker = await join('n', 'node');
    for (const worker of [...tabs, nodeWorker]) await worker.send({ type: 'ask' });
    await submit({ items: ['x'], gang: { size: 3 } });
    await settle();
    expect(workers.flatMap((worker) => worker.socket.received.of('lease'))).toEqual([]);

    const third = await join('c');
    await third.send({ type: 'ask' });
    for (const worker of [...tabs, third]) expect((await worker.socket.received.waitFor('lease')).gang?.size).toBe(3);
    expect(nodeWorker.socket.received.of('lease')).toEqual([]);
  });
});

describe('WorkerGateway elastic gangs', () => {
  it('answers the waiting workers when the rendezvous window ends', async () => {
    const tabs = [await join('a'), await join('b')];
    for (const worker of tabs) await worker.send({ type: 'ask' });
    await submit(elastic(2, 3, 50));
    await settle();
    expect(tabs.flatMap((worker) => worker.socket.received.of('lease'))).toEqual([]);

    parts.clock.advance(50);
    for (const worker of tabs) expect((await worker.socket.received.waitFor('lease')).gang?.size).toBe(2);
  });

  it('re-forms without a member whose socket closed, from the checkpoint', async () => {
    const [a, b, c] = [await join('a'), await join('b'), await join('c')];
    // All three wait before the job comes, so the gang starts at its max of 3.
    for (const worker of [a, b, c]) await worker.send({ type: 'ask' });
    const job = await submit(elastic(2, 3, 0));
    const first = await a.socket.received.waitFor('lease');
    await a.send({ type: 'checkpoint', leaseId: first.leaseId, seq: 1, state: { step: 4 } });
    await a.socket.received.waitFor('checkpointed');

    parts.gateway.disconnect(c.session);
    parts.clock.advance(GRACE_MS);
    await parts.scheduler.sweep();
    for (const worker of [a, b]) expect((await worker.socket.received.waitFor('revoke')).reason).toBe('gang re-forming without rank 2: lease lapsed on worker c');

    for (const worker of [a, b]) await worker.send({ type: 'ask' });
    for (const worker of [a, b]) expect(await worker.socket.received.waitFor('lease', 2)).toMatchObject({ restored: { step: 4 }, gang: { size: 2 } });
    expect(parts.scheduler.liveJob(job.id)?.task(0)).toMatchObject({ failures: 0, lapses: 1 });
  });

  it('takes in a worker waiting when the gang stores a checkpoint, once the members ask again', async () => {
    const [a, b] = [await join('a'), await join('b')];
    await submit(elastic(2, 3, 1_000));
    await a.send({ type: 'ask' });
    parts.clock.advance(1_000);
    await b.send({ type: 'ask' });
    const lease = await a.socket.received.waitFor('lease');
    expect(lease.gang?.size).toBe(2);

    const c = await join('c');
    await c.send({ type: 'ask' });
    await settle();
    expect(c.socket.received.of('lease')).toEqual([]);

    await a.send({ type: 'checkpoint', leaseId: lease.leaseId, seq: 1, state: { step: 7 } });
    for (const worker of [a, b]) expect((await worker.socket.received.waitFor('revoke')).reason).toBe('gang re-forming at checkpoint to add 1 worker');

    // The window holds the re-formed task for the members told to stop; all three start together.
    await a.send({ type: 'ask' });
    await settle();
    expect(c.socket.received.of('lease')).toEqual([]);
    await b.send({ type: 'ask' });
    for (const worker of [a, b]) expect(await worker.socket.received.waitFor('lease', 2)).toMatchObject({ restored: { step: 7 }, gang: { size: 3 } });
    expect(await c.socket.received.waitFor('lease')).toMatchObject({ restored: { step: 7 }, gang: { size: 3 } });
  });
});
