import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerMessageInput } from '../../shared/index.js';
import { FakeSocket, NO_BACKOFF, asker, capabilities, openParts, settle, submitJob, TEST_CONCURRENCY, type Parts } from '../test-helpers.js';
import type { WorkerSession } from './session.js';

// The gateway against an in-memory socket; server.test.ts drives the same protocol over a real port.

const MAX_STRIKES = 3;

let parts: Parts;
let sockets: FakeSocket[];

beforeEach(async () => {
  parts = await openParts(':memory:', { leaseMs: 30_000, heartbeatMs: 10_000, disconnectGraceMs: 1_000, maxStrikes: MAX_STRIKES });
  sockets = [];
});

afterEach(async () => {
  for (const socket of sockets) expect(socket.received.invalid, 'messages that break the protocol schema').toEqual([]);
  await parts.close();
});

/** A connected socket, not yet said hello. */
function open(): { socket: FakeSocket; session: WorkerSession; send: (message: WorkerMessageInput | string) => Promise<void> } {
  const socket = new FakeSocket();
  sockets.push(socket);
  const session = parts.gateway.connect(socket);
  const send = (message: WorkerMessageInput | string) =>
    parts.gateway.receive(session, typeof message === 'string' ? message : JSON.stringify(message));
  return { socket, session, send };
}

/** A socket that said hello and was welcomed. */
async function join(workerId?: string, leases: string[] = []) {
  const worker = open();
  await worker.send({ type: 'hello', capabilities, leases, concurrency: TEST_CONCURRENCY, ...(workerId === undefined ? {} : { workerId }) });
  const welcome = await worker.socket.received.waitFor('welcome');
  return { ...worker, workerId: welcome.workerId, welcome };
}

const submit = (overrides: Parameters<typeof submitJob>[2] = {}) => submitJob(parts.scheduler, parts.store, overrides);

describe('WorkerGateway hello', () => {
  it('welcomes a new worker with a fresh id and the timing settings', async () => {
    const { welcome, socket } = await join();
    expect(welcome).toEqual({ type: 'welcome', workerId: expect.stringMatching(/^w_/) as string, heartbeatMs: 10_000, leaseMs: 30_000, kept: [], concurrency: TEST_CONCURRENCY });
    expect(socket.received.all).toHaveLength(1);
    const other = await join();
    expect(other.workerId).not.toBe(welcome.workerId);
  });

  it('welcomes a returning worker under its own id, keeping only the leases still its own', async () => {
    await submit({ items: [1, 2] });
    const mine = await parts.scheduler.leaseNext(asker('w_back'));
    const theirs = await parts.scheduler.leaseNext(asker('w_other'));
    const { welcome } = await join('w_back', [mine!.leaseId, theirs!.leaseId, 'lease_gone']);
    expect(welcome.workerId).toBe('w_back');
    expect(welcome.kept).toEqual([mine!.leaseId]);
  });
});

describe('WorkerGateway asks and leases', () => {
  it('parks an ask until a job is submitted, then answers it with one lease', async () => {
    const worker = await join();
    await worker.send({ type: 'ask' });
    await settle();
    expect(worker.socket.received.of('lease')).toEqual([]);

    const job = await submit({ items: [10, 20, 30], chunkSize: 2, name: 'parked' });
    const lease = await worker.socket.received.waitFor('lease');
    expect(lease).toMatchObject({ jobId: job.id, jobName: 'parked', taskIndex: 0, attempt: 1, code: job.codeSha, input: { kind: 'items', firstItem: 0, items: [10, 20] } });
    await settle();
    expect(worker.socket.received.of('lease')).toHaveLength(1);

    await worker.send({ type: 'ask' });
    expect(await worker.socket.received.waitFor('lease', 2)).toMatchObject({ taskIndex: 1, input: { items: [30] } });
  });

  it('answers several asks with as many leases, and shares tasks between workers', async () => {
    await submit({ items: [1, 2, 3, 4, 5] });
    const a = await join();
    const b = await join();
    await a.send({ type: 'ask' });
    await a.send({ type: 'ask' });
    await b.send({ type: 'ask' });
    await a.socket.received.waitFor('lease', 2);
    await b.socket.received.waitFor('lease', 1);
    await settle();
    const indexes = [...a.socket.received.of('lease'), ...b.socket.received.of('lease')].map((lease) => lease.taskIndex);
    expect(indexes.sort()).toEqual([0, 1, 2]);
    expect(parts.scheduler.queueDepth()).toBe(2);
  });

  it('acknowledges a result once: accepted, then ignored', async () => {
    const job = await submit({ items: [1] });
    const worker = await join();
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');

    await worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    await worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    expect(worker.socket.received.of('ack')).toEqual([
      { type: 'ack', leaseId: lease.leaseId, status: 'accepted' },
      { type: 'ack', leaseId: lease.leaseId, status: 'ignored' },
    ]);
    expect((await parts.store.getJob(job.id))?.state).toBe('COMPLETED');
    expect(await parts.store.listOutputs(job.id)).toEqual([{ index: 0, firstItem: 0, output: [2] }]);
  });

  it('acknowledges a failure and leases the task again', async () => {
    const job = await submit({ items: [1], retry: NO_BACKOFF });
    const worker = await join();
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');
    await worker.send({ type: 'fail', leaseId: lease.leaseId, error: { message: 'task threw' } });
    expect(worker.socket.received.of('ack')).toEqual([{ type: 'ack', leaseId: lease.leaseId, status: 'accepted' }]);
    expect(parts.scheduler.liveJob(job.id)?.task(0)).toMatchObject({ state: 'ready', failures: 1, error: 'task threw' });

    await worker.send({ type: 'ask' });
    expect(await worker.socket.received.waitFor('lease', 2)).toMatchObject({ taskIndex: 0, attempt: 2 });
  });

  it('stops answering asks that were withdrawn', async () => {
    const paused = await join();
    const busy = await join();
    await paused.send({ type: 'ask' });
    await paused.send({ type: 'ask' });
    await paused.send({ type: 'withdraw' });
    await busy.send({ type: 'ask' });
    await submit({ items: [1, 2, 3] });
    await busy.socket.received.waitFor('lease');
    await settle();
    expect(paused.socket.received.of('lease')).toEqual([]);
    expect(parts.scheduler.queueDepth()).toBe(2);
  });

  it('passes heartbeats, progress and logs to the scheduler', async () => {
    const job = await submit({ items: [1] });
    const worker = await join();
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');

    await worker.send({ type: 'progress', leaseId: lease.leaseId, fraction: 0.25 });
    expect(parts.gateway.workers()[0]?.currentTasks).toEqual([{ jobId: job.id, taskIndex: 0, progress: 0.25 }]);

    parts.clock.advance(29_000);
    await worker.send({ type: 'heartbeat' });
    parts.clock.advance(29_000);
    await parts.scheduler.sweep();
    expect(parts.scheduler.liveJob(job.id)?.task(0)?.state).toBe('leased');

    await worker.send({ type: 'log', leaseId: lease.leaseId, level: 'warn', message: 'careful' });
    await parts.scheduler.close(); // flushes the log buffer
    expect(await parts.store.listLogs(job.id)).toMatchObject([{ level: 'warn', message: 'careful', workerId: worker.workerId, taskIndex: 0 }]);
  });

  it('relays a revoke when the job of a lease is cancelled', async () => {
    const job = await submit({ items: [1] });
    const worker = await join();
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');
    await parts.scheduler.cancel(job.id);
    expect(await worker.socket.received.waitFor('revoke')).toEqual({ type: 'revoke', leaseId: lease.leaseId, reason: 'job cancelled' });
  });
});

describe('WorkerGateway bad messages', () => {
  it('answers each bad message with an error and closes the socket at the strike limit', async () => {
    const bystander = await join();
    const rude = open();
    await rude.send('this is not json {');
    await rude.send({ type: 'ask' }); // valid, but before hello
    expect(rude.socket.received.of('error').map((error) => error.code)).toEqual(['bad_message', 'hello_first']);
    expect(rude.socket.received.of('error')[1]?.message).toMatch(/'ask' before 'hello'/);
    expect(rude.socket.closed).toBeUndefined();

    await rude.send(JSON.stringify({ type: 'result', outputs: [] })); // no leaseId
    expect(rude.socket.received.of('error')[2]).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/leaseId/) as string });
    expect(rude.socket.closed?.code).toBe(1008);

    await submit({ items: [1] });
    await bystander.send({ type: 'ask' });
    expect((await bystander.socket.received.waitFor('lease')).taskIndex).toBe(0);
  });

  it('strikes unknown types, extra fields and a second hello', async () => {
    const worker = await join();
    await worker.send({ type: 'dance' } as unknown as WorkerMessageInput);
    await worker.send({ type: 'ask', extra: 1 } as unknown as WorkerMessageInput);
    expect(worker.socket.received.of('error').map((error) => error.code)).toEqual(['bad_message', 'bad_message']);
    await worker.send({ type: 'hello', capabilities });
    expect(worker.socket.received.of('error')[2]?.code).toBe('out_of_turn');
    expect(worker.socket.closed?.code).toBe(1008);
    expect(parts.gateway.workers()).toEqual([]);
  });

  it('lets the leases of a worker closed for bad messages lapse after the grace period', async () => {
    const job = await submit({ items: [1] });
    const worker = await join();
    await worker.send({ type: 'ask' });
    await worker.socket.received.waitFor('lease');
    for (let i = 0; i < MAX_STRIKES; i++) await worker.send('garbage');
    expect(worker.socket.closed?.code).toBe(1008);
    parts.clock.advance(1_000);
    await parts.scheduler.sweep();
    expect(parts.scheduler.liveJob(job.id)?.task(0)).toMatchObject({ state: 'ready', lapses: 1 });
  });
});

describe('WorkerGateway sessions', () => {
  it('replaces the first connection of a worker id by the second, keeping its leases', async () => {
    const job = await submit({ items: [1] });
    const first = await join('w_same');
    await first.send({ type: 'ask' });
    const lease = await first.socket.received.waitFor('lease');

    const second = await join('w_same', [lease.leaseId]);
    expect(second.welcome.kept).toEqual([lease.leaseId]);
    expect(first.socket.closed?.code).toBe(4000);
    // The first socket's close event arrives late: it must not touch the second session.
    parts.gateway.disconnect(first.session);
    expect(parts.gateway.workers().map((worker) => worker.id)).toEqual(['w_same']);
    parts.clock.advance(29_999);
    await parts.scheduler.sweep();
    expect(parts.scheduler.liveJob(job.id)?.task(0)?.state).toBe('leased');

    await second.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    expect(second.socket.received.of('ack')).toEqual([{ type: 'ack', leaseId: lease.leaseId, status: 'accepted' }]);
    expect(first.socket.received.of('ack')).toEqual([]);
  });

  it('lists connected workers with their tasks done and current tasks', async () => {
    const job = await submit({ items: [1, 2] });
    const a = await join('w_a');
    const b = await join('w_b');
    open(); // connected but no hello: not a worker yet
    await a.send({ type: 'ask' });
    const first = await a.socket.received.waitFor('lease');
    await a.send({ type: 'result', leaseId: first.leaseId, outputs: [2] });
    await a.send({ type: 'result', leaseId: first.leaseId, outputs: [2] }); // ignored: does not count
    await a.send({ type: 'ask' });
    await a.socket.received.waitFor('lease', 2);

    const workers = parts.gateway.workers();
    expect(workers).toEqual([
      {
        id: 'w_a',
        connected: true,
        capabilities,
        joinedAt: expect.any(String) as string,
        concurrency: TEST_CONCURRENCY,
        tasksDone: 1,
        currentTasks: [{ jobId: job.id, taskIndex: 1, progress: 0 }],
      },
      { id: 'w_b', connected: true, capabilities, joinedAt: expect.any(String) as string, concurrency: TEST_CONCURRENCY, tasksDone: 0, currentTasks: [] },
    ]);
    expect(Number.isNaN(Date.parse(workers[0]!.joinedAt))).toBe(false);
    expect(parts.gateway.connectedCount).toBe(2);

    parts.gateway.disconnect(b.session);
    expect(parts.gateway.workers().map((worker) => worker.id)).toEqual(['w_a']);
  });

  it('gives a disconnected worker the grace period to come back for its leases', async () => {
    const job = await submit({ items: [1] });
    const worker = await join('w_flaky');
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');
    parts.gateway.disconnect(worker.session);

    parts.clock.advance(999);
    const back = await join('w_flaky', [lease.leaseId]);
    expect(back.welcome.kept).toEqual([lease.leaseId]);
    parts.clock.advance(10_000);
    await parts.scheduler.sweep();
    expect(parts.scheduler.liveJob(job.id)?.task(0)?.state).toBe('leased');
  });

  it('sends nothing to a disconnected worker, even for an ask it left parked', async () => {
    const worker = await join();
    await worker.send({ type: 'ask' });
    parts.gateway.disconnect(worker.session);
    const other = await join();
    await other.send({ type: 'ask' });
    await submit({ items: [1] });
    await other.socket.received.waitFor('lease');
    expect(worker.socket.received.of('lease')).toEqual([]);
  });

  it('closes every open socket on shutdown, including one that has not said hello', async () => {
    const a = await join();
    const silent = open();
    const gone = await join();
    parts.gateway.disconnect(gone.session);
    parts.gateway.closeAll();
    expect([a.socket.closed?.code, silent.socket.closed?.code]).toEqual([1001, 1001]);
    expect(gone.socket.closed).toBeUndefined();
  });
});
