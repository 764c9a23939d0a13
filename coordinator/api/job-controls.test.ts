import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { ItemResult, JobEvent, JobStatus, RejectedJobProblem, type JobSpecInput } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, expectError, readBody, readNdjson, serverCaller, socketUrl, useRealServers } from '../test-helpers.js';
import { honest, ProtocolWorker, type Answer } from '../test-workers.js';

// An admin's job controls on a real coordinator, with workers on real sockets: a failed job
// retried, a job submitted again, priority and run mode changed; and the times and spec in brief
// a job's status shows.

const { start, stop, track } = useRealServers();
const JobList = z.object({ jobs: z.array(JobStatus) });
const EventList = z.object({ events: z.array(JobEvent) });
const ONE_TRY = { retry: { maxAttempts: 1, distinctWorkers: 1 } } as const;

const api = (coordinator: Coordinator, method: string, path: string, json?: unknown) => serverCaller(coordinator)(method, path, json === undefined ? {} : { json });

async function submit(coordinator: Coordinator, spec: Partial<JobSpecInput> & { items: number[] }): Promise<JobStatus> {
  const { items, ...rest } = spec;
  const response = await api(coordinator, 'POST', '/api/v1/jobs', { name: 'controls', code: DOUBLE_CODE, input: { items, chunkSize: 1 }, ...rest });
  expect(response.status, await response.clone().text()).toBe(201);
  return readBody(response, JobStatus);
}

async function control(coordinator: Coordinator, id: string, action: string, json?: unknown): Promise<JobStatus> {
  const response = await api(coordinator, 'POST', `/api/v1/jobs/${id}/${action}`, json);
  expect(response.status, await response.clone().text()).toBe(200);
  return readBody(response, JobStatus);
}

const status = async (coordinator: Coordinator, id: string): Promise<JobStatus> => readBody(await api(coordinator, 'GET', `/api/v1/jobs/${id}`), JobStatus);
const outputs = async (coordinator: Coordinator, id: string): Promise<unknown[]> =>
  (await readNdjson(await api(coordinator, 'GET', `/api/v1/jobs/${id}/results`), ItemResult)).map((result) => result.output);

async function joined(coordinator: Coordinator, answer: Answer): Promise<ProtocolWorker> {
  return (await new ProtocolWorker(track(new WebSocket(socketUrl(coordinator))), answer).join()).start();
}

/** Reads the job's event stream (`?follow=1`) to its `end`, then answers the job's status and the stream's text. */
async function followToEnd(coordinator: Coordinator, id: string, stream?: Promise<string>): Promise<{ text: string; final: JobStatus }> {
  const text = await (stream ?? (await api(coordinator, 'GET', `/api/v1/jobs/${id}/events?follow=1`)).text());
  expect(text).toContain('event: end');
  return { text, final: await status(coordinator, id) };
}

describe('POST /jobs/:id/retry', () => {
  it('runs a failed job again from its failed tasks: it completes with every result, its event says so', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { items: [1, 2, 3], ...ONE_TRY });
    const flaky = await joined(coordinator, () => ({ fail: 'not yet' }));
    const failed = (await followToEnd(coordinator, job.id)).final;
    expect(failed).toMatchObject({ state: 'FAILED', error: { message: 'not yet', taskIndex: 0 }, progress: { failed: 1, done: 0 } });
    expect(failed.endedAt).toBeDefined();
    flaky.socket.close();
    await flaky.closed;

    const retried = await control(coordinator, job.id, 'retry');
    expect(retried).toMatchObject({ state: 'PENDING', progress: { failed: 0, done: 0, total: 3 }, startedAt: failed.startedAt });
    expect(retried.error).toBeUndefined();
    expect(retried.endedAt).toBeUndefined();
    // Followed from here, the stream goes on past the FAILED event to the job's new end.
    const following = api(coordinator, 'GET', `/api/v1/jobs/${job.id}/events?follow=1`).then((response) => response.text());
    await joined(coordinator, honest);
    const { text, final } = await followToEnd(coordinator, job.id, following);
    expect(text).toContain('"to":"COMPLETED"');
    expect(final).toMatchObject({ state: 'COMPLETED', progress: { done: 3, failed: 0 } });
    expect(await outputs(coordinator, job.id)).toEqual([2, 4, 6]);
    const { events } = await readBody(await api(coordinator, 'GET', `/api/v1/jobs/${job.id}/events`), EventList);
    expect(events.map((event) => `${event.from}→${event.to}`)).toContain('FAILED→PENDING');
    expect(events.find((event) => event.from === 'FAILED')?.reason).toBe('retrying 3 failed tasks (by an admin)');
  });

  it('answers 409 naming the state for a job that is not FAILED, and 404 for none', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { items: [1] });
    const pending = await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/retry`), 409, 'conflict');
    expect(pending.detail).toBe(`job ${job.id} is PENDING: only a FAILED job can be retried`);
    await control(coordinator, job.id, 'cancel');
    expect((await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/retry`), 409, 'conflict')).detail).toContain('is CANCELLED');
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs/job_none/retry'), 404, 'not_found');
  });
});

describe('POST /jobs/:id/priority', () => {
  it('changes the order in which a worker gets the tasks of two jobs', async () => {
    const coordinator = await start();
    const older = await submit(coordinator, { items: [1, 2] });
    const newer = await submit(coordinator, { items: [3, 4] });
    expect(await control(coordinator, newer.id, 'priority', { priority: 10 })).toMatchObject({ id: newer.id, priority: 10 });
    const worker = await joined(coordinator, honest);
    await followToEnd(coordinator, older.id);
    await followToEnd(coordinator, newer.id);
    expect(worker.leases.map((lease) => lease.jobId)).toEqual([newer.id, newer.id, older.id, older.id]);
    expect((await status(coordinator, newer.id)).priority).toBe(10);
  });

  it('refuses a priority out of bounds or a wrong body (400), and a job that has ended (409)', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { items: [1] });
    const over = await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/priority`, { priority: 1001 }), 400, 'invalid_spec');
    expect(over.detail).toMatch(/^invalid body: priority: /);
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/priority`, { priority: 1.5 }), 400, 'invalid_spec');
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/priority`, { priority: 1, extra: true }), 400, 'invalid_spec');
    await expectError(await serverCaller(coordinator)('POST', `/api/v1/jobs/${job.id}/priority`, { body: '{"priority":1}' }), 415, 'unsupported_media_type');
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/priority`, { priority: 1, pad: 'x'.repeat(2000) }), 413, 'too_large');
    await control(coordinator, job.id, 'cancel');
    const ended = await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/priority`, { priority: 1 }), 409, 'conflict');
    expect(ended.detail).toContain('is CANCELLED');
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs/job_none/priority', { priority: 1 }), 404, 'not_found');
  });
});

describe('POST /jobs/:id/run-mode', () => {
  it('switches a job to debug mode (plain workers get nothing), keeps it across a restart, and back', async () => {
    const first = await start();
    const job = await submit(first, { items: [1, 2] });
    expect(await control(first, job.id, 'run-mode', { runMode: 'debug' })).toMatchObject({ runMode: 'debug' });
    await stop(first);

    const coordinator = await start({ dataDir: first.dataDir });
    expect((await status(coordinator, job.id)).runMode).toBe('debug');
    await joined(coordinator, honest);
    expect(await status(coordinator, job.id)).toMatchObject({
      state: 'PENDING',
      waitingReason: 'no connected worker can run it: a debug job needs a worker that joined with debug=1',
    });
    expect(await control(coordinator, job.id, 'run-mode', { runMode: 'immediate' })).toMatchObject({ runMode: 'immediate' });
    const { final } = await followToEnd(coordinator, job.id);
    expect(final).toMatchObject({ state: 'COMPLETED', runMode: 'immediate' });
  });

  it('refuses a gang job and any other mode (400), and a job that has ended (409)', async () => {
    const coordinator = await start();
    const gang = await submit(coordinator, { items: [1], gang: { size: 2 } });
    const refused = await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${gang.id}/run-mode`, { runMode: 'debug' }), 400, 'invalid_spec');
    expect(refused.detail).toContain('a gang job keeps its run mode');
    const job = await submit(coordinator, { items: [1] });
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/run-mode`, { runMode: 'paused' }), 400, 'invalid_spec');
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/run-mode`, { runMode: 'elastic' }), 400, 'invalid_spec');
    await control(coordinator, job.id, 'cancel');
    expect((await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/run-mode`, { runMode: 'debug' }), 409, 'conflict')).detail).toContain('is CANCELLED');
  });
});

describe('POST /jobs/:id/resubmit', () => {
  it('makes a second job of the same spec (not its idempotency key), with the same results', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { items: [1, 2, 3], idempotencyKey: 'nightly', priority: 3 });
    await joined(coordinator, honest);
    await followToEnd(coordinator, job.id);
    const response = await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/resubmit`);
    expect(response.status).toBe(201);
    const again = await readBody(response, JobStatus);
    expect(again.id).not.toBe(job.id);
    expect(again).toMatchObject({ name: 'controls', items: 3, priority: 3 });
    expect(again.existing).toBeUndefined();
    await followToEnd(coordinator, again.id);
    expect(await outputs(coordinator, again.id)).toEqual(await outputs(coordinator, job.id));
    // The key stays the first job's.
    const keyed = await api(coordinator, 'POST', '/api/v1/jobs', { name: 'controls', code: DOUBLE_CODE, input: { items: [1] }, idempotencyKey: 'nightly' });
    expect((await readBody(keyed, JobStatus)).id).toBe(job.id);
  });

  it('goes through the policies of POST /jobs: a full queue rejects it (429); a REJECTED job has no spec to send (409)', async () => {
    const coordinator = await start({ maxQueuedJobs: 1 });
    const job = await submit(coordinator, { items: [1] });
    const rejected = await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/resubmit`);
    const { job: refused } = RejectedJobProblem.parse(await expectError(rejected, 429, 'over_capacity'));
    expect(refused.state).toBe('REJECTED');
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${refused.id}/resubmit`), 409, 'conflict');
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs/job_none/resubmit'), 404, 'not_found');
  });
});

describe('a job status: start and end times, spec in brief', () => {
  it('shows when the job started and ended, and its spec without items or code, in the status and the list', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { items: [1, 2], requires: { runtime: 'node' }, retry: { maxAttempts: 2, timeoutMs: 5_000 } });
    expect(job.startedAt).toBeUndefined();
    expect(job.endedAt).toBeUndefined();
    await joined(coordinator, honest);
    const { final } = await followToEnd(coordinator, job.id);
    expect(Date.parse(final.startedAt!)).toBeLessThanOrEqual(Date.parse(final.endedAt!));
    expect(Date.parse(final.startedAt!)).toBeGreaterThanOrEqual(Date.parse(final.createdAt));
    expect(final.spec).toEqual({
      partitioner: 'items',
      chunkSize: 1,
      retry: { maxAttempts: 2, maxLapses: 10, distinctWorkers: 2, backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 } },
      timeoutMs: 5_000,
      requires: { runtime: 'node' },
    });
    const { jobs } = await readBody(await api(coordinator, 'GET', '/api/v1/jobs'), JobList);
    expect(jobs.find((each) => each.id === job.id)).toMatchObject({ startedAt: final.startedAt, endedAt: final.endedAt, spec: final.spec });
  });
});
