import { describe, expect, it } from 'vitest';
import { JobStatus, TaskDetail, TaskMap, type JobSpecInput } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, expectError, readBody, serverCaller, useRealServers, type RealWorker } from '../test-helpers.js';

// One task in full, and every task of a job as a map of cells, over a real server and real
// worker sockets.

const { start, connectWorker } = useRealServers();

async function submit(coordinator: Coordinator, spec: Partial<JobSpecInput>): Promise<JobStatus> {
  const response = await serverCaller(coordinator)('POST', '/api/v1/jobs', { json: { name: 'viewed', code: DOUBLE_CODE, input: { items: [1] }, ...spec } });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

async function readyWorker(coordinator: Coordinator): Promise<RealWorker & { workerId: string }> {
  const worker = await connectWorker(coordinator);
  const { workerId } = await worker.hello();
  return Object.assign(worker, { workerId });
}

/** Leases the worker's next task and, unless `hold`, reports its result (waiting for the ack). */
async function runNext(worker: RealWorker, hold = false): Promise<string> {
  const count = worker.received.of('lease').length + 1;
  worker.send({ type: 'ask' });
  const lease = await worker.received.waitFor('lease', count);
  if (!hold) {
    const acks = worker.received.of('ack').length + 1;
    worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [0] });
    await worker.received.waitFor('ack', acks);
  }
  return lease.leaseId;
}

const get = (coordinator: Coordinator, path: string) => serverCaller(coordinator)('GET', path);
const mapOf = async (coordinator: Coordinator, jobId: string, query = '') => readBody(await get(coordinator, `/api/v1/jobs/${jobId}/task-map${query}`), TaskMap);

describe('GET /api/v1/jobs/:id/tasks/:index', () => {
  it('shows a task with its checkpoint, its times and the workers its row names', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { retry: { maxAttempts: 3, distinctWorkers: 2, backoff: { initialMs: 0 } } });
    const first = await readyWorker(coordinator);
    first.send({ type: 'ask' });
    const failed = await first.received.waitFor('lease');
    first.send({ type: 'fail', leaseId: failed.leaseId, error: { message: 'boom' } });
    await first.received.waitFor('ack');

    const second = await readyWorker(coordinator);
    second.send({ type: 'ask' });
    const lease = await second.received.waitFor('lease');
    expect(lease.taskIndex).toBe(0);
    const checkpoint = { user: { step: 3 } };
    second.send({ type: 'checkpoint', leaseId: lease.leaseId, seq: 0, state: checkpoint });
    await second.received.waitFor('checkpointed');

    const detail = await readBody(await get(coordinator, `/api/v1/jobs/${job.id}/tasks/0`), TaskDetail);
    expect(detail).toMatchObject({
      index: 0,
      state: 'leased',
      attempts: 2,
      failures: 1,
      workerId: second.workerId,
      error: 'boom',
      checkpointBytes: JSON.stringify(checkpoint).length,
      readyAt: null,
      workers: [second.workerId, first.workerId],
    });
    expect(detail.gang).toBeUndefined();
    expect(Date.parse(detail.updatedAt)).not.toBeNaN();

    const other = await submit(coordinator, {});
    const untouched = await readBody(await get(coordinator, `/api/v1/jobs/${other.id}/tasks/0`), TaskDetail);
    expect(untouched).toMatchObject({ state: 'ready', attempts: 0, workerId: null, checkpointBytes: null, workers: [] });
  });

  it('names the ranks of the live gang running a task', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { input: { items: ['x'] }, gang: { size: 3 } });
    // A node worker takes a whole gang, one rank per ask.
    const worker = await readyWorker(coordinator);
    for (let ask = 0; ask < 3; ask++) worker.send({ type: 'ask' });
    await worker.received.waitFor('lease', 3);
    const detail = await readBody(await get(coordinator, `/api/v1/jobs/${job.id}/tasks/0`), TaskDetail);
    expect(detail.gang).toEqual([0, 1, 2].map((rank) => ({ rank, workerId: worker.workerId })));
  });

  it('answers 404 for an unknown job or task, 400 for what is not a task index', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { input: { items: [1, 2] } });
    await expectError(await get(coordinator, '/api/v1/jobs/job_nope/tasks/0'), 404, 'not_found');
    await expectError(await get(coordinator, `/api/v1/jobs/${job.id}/tasks/2`), 404, 'not_found');
    for (const bad of ['x', '-1', '1.5', '1e3', '12345678901']) {
      await expectError(await get(coordinator, `/api/v1/jobs/${job.id}/tasks/${bad}`), 400, 'invalid_query');
    }
  });
});

describe('GET /api/v1/jobs/:id/task-map', () => {
  it("maps a live job's tasks from memory, one a cell or the most urgent of several", async () => {
    const coordinator = await start();
    // Task 1 waits for task 2.
    const job = await submit(coordinator, { input: { items: [1, 2, 3, 4, 5, 6] }, dependencies: [[2, 1]] });
    const worker = await readyWorker(coordinator);
    await runNext(worker);
    await runNext(worker, true);

    expect(await mapOf(coordinator, job.id)).toEqual({ total: 6, perCell: 1, states: 'dblrrr' });
    expect(await mapOf(coordinator, job.id, '?cells=6')).toEqual({ total: 6, perCell: 1, states: 'dblrrr' });
    // blocked over done, leased over ready
    expect(await mapOf(coordinator, job.id, '?cells=3')).toEqual({ total: 6, perCell: 2, states: 'blr' });
    expect(await mapOf(coordinator, job.id, '?cells=4')).toEqual({ total: 6, perCell: 2, states: 'blr' });
    expect(await mapOf(coordinator, job.id, '?cells=2')).toEqual({ total: 6, perCell: 3, states: 'lr' });
    expect(await mapOf(coordinator, job.id, '?cells=1')).toEqual({ total: 6, perCell: 6, states: 'l' });
  });

  it("maps an ended job's tasks from the store, a page at a time", async () => {
    const coordinator = await start();
    const failing = await submit(coordinator, { input: { items: [1, 2, 3, 4, 5] }, retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const worker = await readyWorker(coordinator);
    await runNext(worker);
    await runNext(worker);
    worker.send({ type: 'ask' });
    const lease = await worker.received.waitFor('lease', 3);
    worker.send({ type: 'fail', leaseId: lease.leaseId, error: { message: 'no' } });
    await worker.received.waitFor('ack', 3);
    expect((await readBody(await get(coordinator, `/api/v1/jobs/${failing.id}`), JobStatus)).state).toBe('FAILED');

    expect(await mapOf(coordinator, failing.id)).toEqual({ total: 5, perCell: 1, states: 'ddfcc' });
    // failed over done and cancelled
    expect(await mapOf(coordinator, failing.id, '?cells=2')).toEqual({ total: 5, perCell: 3, states: 'fc' });
    expect(await mapOf(coordinator, failing.id, '?cells=3')).toEqual({ total: 5, perCell: 2, states: 'dfc' });

    const cancelled = await submit(coordinator, { input: { items: [1, 2, 3, 4] } });
    await runNext(worker);
    await serverCaller(coordinator)('POST', `/api/v1/jobs/${cancelled.id}/cancel`);
    // cancelled over done
    expect(await mapOf(coordinator, cancelled.id)).toEqual({ total: 4, perCell: 1, states: 'dccc' });
    expect(await mapOf(coordinator, cancelled.id, '?cells=2')).toEqual({ total: 4, perCell: 2, states: 'cc' });

    // More tasks than one page of the store's read.
    const big = await submit(coordinator, { input: { items: Array.from({ length: 12_001 }, (_, n) => n) } });
    await serverCaller(coordinator)('POST', `/api/v1/jobs/${big.id}/cancel`);
    expect(await mapOf(coordinator, big.id, '?cells=5000')).toEqual({ total: 12_001, perCell: 3, states: 'c'.repeat(4001) });
    expect(await mapOf(coordinator, big.id)).toEqual({ total: 12_001, perCell: 7, states: 'c'.repeat(1715) });
  });

  it('answers 404 for an unknown job and 400 for cells out of 1..5000', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, {});
    await expectError(await get(coordinator, '/api/v1/jobs/job_nope/task-map'), 404, 'not_found');
    for (const bad of ['cells=0', 'cells=5001', 'cells=x', 'cells=1.5', 'size=3']) {
      await expectError(await get(coordinator, `/api/v1/jobs/${job.id}/task-map?${bad}`), 400, 'invalid_query');
    }
  });
});
