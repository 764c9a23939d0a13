import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { joinFakeWorker, openParts, settle, submitJob, type Parts } from '../test-helpers.js';

// Parked asks and the new scheduling policies, through the gateway on in-memory sockets.

let parts: Parts;
let workers: Awaited<ReturnType<typeof joinFakeWorker>>[];

beforeEach(async () => {
  parts = await openParts(':memory:', { leaseMs: 30_000, heartbeatMs: 10_000, disconnectGraceMs: 1_000, maxCheckpointBytes: 64 });
  workers = [];
});

afterEach(async () => {
  for (const worker of workers) expect(worker.socket.received.invalid, 'messages that break the protocol schema').toEqual([]);
  await parts.close();
});

async function join(workerId: string, extra: Parameters<typeof joinFakeWorker>[2] = {}) {
  const worker = await joinFakeWorker(parts.gateway, workerId, extra);
  workers.push(worker);
  return worker;
}

const submit = (overrides: Parameters<typeof submitJob>[2] = {}) => submitJob(parts.scheduler, parts.store, overrides);

describe('WorkerGateway matching', () => {
  it('leaves a non-matching worker’s ask parked and answers a matching one', async () => {
    const cpu = await join('w_cpu');
    const gpu = await join('w_gpu', { webgpu: { vendor: 'google', architecture: 'swiftshader' } });
    await cpu.send({ type: 'ask' });
    await gpu.send({ type: 'ask' });
    const job = await submit({ items: [1], requires: { webgpu: true } });
    expect(await gpu.socket.received.waitFor('lease')).toMatchObject({ jobId: job.id });
    await settle();
    expect(cpu.socket.received.of('lease')).toEqual([]);

    // The parked ask is answered by the next job it can run.
    const plain = await submit({ items: [1] });
    expect(await cpu.socket.received.waitFor('lease')).toMatchObject({ jobId: plain.id });
  });
});

describe('WorkerGateway capability updates', () => {
  it('replaces a worker’s capabilities, lists them, and lets its parked ask match what it now can run', async () => {
    const tab = await join('w_tab');
    await tab.send({ type: 'ask' });
    const job = await submit({ items: [1], requires: { webgpu: true } });
    await settle();
    expect(tab.socket.received.of('lease')).toEqual([]);

    const tensor = { chosen: { backend: 'webgpu' }, figures: [{ backend: 'webgpu', size: 256, gflops: 9 }] };
    await tab.send({
      type: 'capabilities',
      capabilities: { runtime: 'browser', webgpu: { vendor: 'google', architecture: 'swiftshader' }, userAgent: 'vitest', tensor },
    });
    expect(await tab.socket.received.waitFor('lease')).toMatchObject({ jobId: job.id });
    expect(parts.gateway.workers()[0]?.capabilities.tensor).toEqual(tensor);
  });
});

describe('WorkerGateway debug jobs', () => {
  it('hands a debug job’s next task to another parked debug worker when the running one finishes', async () => {
    const first = await join('w_debug1', { debug: true });
    const second = await join('w_debug2', { debug: true });
    const job = await submit({ items: [1, 2], runMode: 'debug' });
    await first.send({ type: 'ask' });
    const lease = await first.socket.received.waitFor('lease');
    expect(lease).toMatchObject({ jobId: job.id, taskIndex: 0, debug: true });
    await second.send({ type: 'ask' });
    await settle();
    expect(second.socket.received.of('lease')).toEqual([]);

    // The first worker reports and asks for nothing more: the parked ask must not wait forever.
    await first.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    expect(await second.socket.received.waitFor('lease')).toMatchObject({ jobId: job.id, taskIndex: 1, debug: true });
  });

  it('hands the next task to a parked debug worker when the running one fails and backs off', async () => {
    const first = await join('w_debug1', { debug: true });
    const second = await join('w_debug2', { debug: true });
    const job = await submit({ items: [1, 2], runMode: 'debug', retry: { backoff: { initialMs: 60_000 } } });
    await first.send({ type: 'ask' });
    const lease = await first.socket.received.waitFor('lease');
    await second.send({ type: 'ask' });
    await first.send({ type: 'fail', leaseId: lease.leaseId, error: { message: 'stopped at the breakpoint' } });
    expect(await second.socket.received.waitFor('lease')).toMatchObject({ jobId: job.id, taskIndex: 1 });
  });
});

describe('WorkerGateway paused jobs', () => {
  it('answers a parked ask when a paused job is resumed', async () => {
    const worker = await join('w_1');
    await worker.send({ type: 'ask' });
    const job = await submit({ items: [1], runMode: 'paused' });
    await settle();
    expect(worker.socket.received.of('lease')).toEqual([]);
    await parts.scheduler.resume(job.id);
    expect(await worker.socket.received.waitFor('lease')).toMatchObject({ jobId: job.id });
  });

  it('answers a parked ask when the job it depends on completes', async () => {
    const worker = await join('w_1');
    const dependency = await submit({ items: [1] });
    const dependent = await submit({ items: [1], dependsOn: [dependency.id] });
    await worker.send({ type: 'ask' });
    const first = await worker.socket.received.waitFor('lease');
    expect(first.jobId).toBe(dependency.id);
    await worker.send({ type: 'ask' });
    await settle();
    expect(worker.socket.received.of('lease')).toHaveLength(1);
    await worker.send({ type: 'result', leaseId: first.leaseId, outputs: [2] });
    expect(await worker.socket.received.waitFor('lease', 2)).toMatchObject({ jobId: dependent.id });
  });
});

describe('WorkerGateway checkpoints and timeouts', () => {
  it('answers each checkpoint with its seq and outcome, and restores it on the next attempt', async () => {
    const job = await submit({ items: [1], retry: { backoff: { initialMs: 0 } } });
    const worker = await join('w_1');
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');

    await worker.send({ type: 'checkpoint', leaseId: lease.leaseId, seq: 0, state: { step: 1 } });
    await worker.send({ type: 'checkpoint', leaseId: lease.leaseId, seq: 1, state: 'z'.repeat(100) });
    await worker.send({ type: 'checkpoint', leaseId: 'lease_other', seq: 2, state: { step: 3 } });
    expect(worker.socket.received.of('checkpointed')).toEqual([
      { type: 'checkpointed', leaseId: lease.leaseId, seq: 0, status: 'stored' },
      { type: 'checkpointed', leaseId: lease.leaseId, seq: 1, status: 'refused', reason: expect.stringContaining('limit of 64') as string },
      { type: 'checkpointed', leaseId: 'lease_other', seq: 2, status: 'ignored' },
    ]);

    await worker.send({ type: 'fail', leaseId: lease.leaseId, error: { message: 'lost the GPU' } });
    await worker.send({ type: 'ask' });
    expect(await worker.socket.received.waitFor('lease', 2)).toMatchObject({ jobId: job.id, attempt: 2, restored: { step: 1 } });
  });

  it('revokes an attempt that ran past its timeout', async () => {
    await submit({ items: [1], retry: { timeoutMs: 2_000 } });
    const worker = await join('w_1');
    await worker.send({ type: 'ask' });
    const lease = await worker.socket.received.waitFor('lease');
    expect(lease.timeoutMs).toBe(2_000);
    parts.clock.advance(2_000);
    await parts.scheduler.sweep();
    expect(await worker.socket.received.waitFor('revoke')).toEqual({ type: 'revoke', leaseId: lease.leaseId, reason: 'timed out after 2000 ms' });
    await worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    expect(worker.socket.received.of('ack')).toEqual([{ type: 'ack', leaseId: lease.leaseId, status: 'ignored' }]);
  });
});
