import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ItemResult, JobEvent, JobStatus, RejectedJobProblem, sha256Hex, type JobSpecInput } from '../../shared/index.js';
import {
  DOUBLE_CODE,
  appCaller,
  asker,
  doubled,
  expectError,
  joinFakeWorker,
  openParts,
  readBody,
  readNdjson,
  testApp,
  useTempDirs,
  type Caller,
  type Parts,
} from '../test-helpers.js';
import type { ApiLimits } from './deps.js';

// The REST face of the new job policies, in-process: graphs, dependsOn, idempotency, limits,
// events, pause/resume, waiting reasons and reduce results.

const newTempDir = useTempDirs();
const JobList = z.object({ jobs: z.array(JobStatus) });
const EventList = z.object({ events: z.array(JobEvent) });
const Result = z.object({ result: z.unknown() });

let parts: Parts;
let call: Caller;

async function useLimits(limits: Partial<ApiLimits>): Promise<void> {
  call = appCaller(testApp(parts, await newTempDir(), { limits }));
}

beforeEach(async () => {
  parts = await openParts();
  await useLimits({});
});

afterEach(async () => {
  await parts.close();
});

const spec = (overrides: Partial<JobSpecInput> = {}): JobSpecInput => ({ name: 'api-job', code: DOUBLE_CODE, input: { items: [1, 2, 3] }, ...overrides });

async function submit(overrides: Partial<JobSpecInput> = {}, status = 201): Promise<JobStatus> {
  const response = await call('POST', '/api/v1/jobs', { json: spec(overrides) });
  expect(response.status, await response.clone().text()).toBe(status);
  return readBody(response, JobStatus);
}

const status = async (id: string): Promise<JobStatus> => readBody(await call('GET', `/api/v1/jobs/${id}`), JobStatus);
const listJobs = async (): Promise<JobStatus[]> => (await readBody(await call('GET', '/api/v1/jobs'), JobList)).jobs;

/** Leases and completes (doubling) every task one worker can get. */
async function runAll(): Promise<void> {
  for (let lease = await parts.scheduler.leaseNext(asker('w_1')); lease; lease = await parts.scheduler.leaseNext(asker('w_1'))) {
    const outputs = lease.input.kind === 'reduce' ? [(lease.input.outputs as number[]).reduce((a, b) => a + b, 0)] : doubled(lease);
    await parts.scheduler.complete('w_1', lease.leaseId, outputs);
  }
}

describe('POST /jobs: graphs and dependencies', () => {
  it('refuses a dependency cycle with 400 naming the cycle, creating nothing', async () => {
    const error = await expectError(await call('POST', '/api/v1/jobs', { json: spec({ dependencies: [[0, 1], [1, 2], [2, 0]] }) }), 400, 'invalid_spec');
    expect(error.detail).toContain('cycle 0 → 1 → 2 → 0');
    expect(error.details).toEqual([{ path: 'dependencies', message: 'cycle 0 → 1 → 2 → 0' }]);
    expect(await listJobs()).toEqual([]);
    expect(await parts.store.listJobs()).toEqual([]);
    expect(parts.scheduler.queueDepth()).toBe(0);
  });

  it('refuses an unknown item and a chunking-made cycle with 400 naming the edge', async () => {
    const unknown = await expectError(await call('POST', '/api/v1/jobs', { json: spec({ dependencies: [[0, 3]] }) }), 400, 'invalid_spec');
    expect(unknown.details).toEqual([{ path: 'dependencies.0', message: 'item 3 does not exist (the job has 3)' }]);
    const chunked = spec({ input: { items: [1, 2, 3, 4], chunkSize: 2 }, dependencies: [[0, 2], [3, 1]] });
    const cycle = await expectError(await call('POST', '/api/v1/jobs', { json: chunked }), 400, 'invalid_spec');
    expect(cycle.detail).toMatch(/chunking makes tasks wait for each other/);
    expect(await listJobs()).toEqual([]);
  });

  it('refuses dependsOn an unknown job with 400, and runMode local', async () => {
    const unknown = await expectError(await call('POST', '/api/v1/jobs', { json: spec({ dependsOn: ['job_ghost'] }) }), 400, 'invalid_spec');
    expect(unknown.details).toEqual([{ path: 'dependsOn.0', message: 'no job job_ghost' }]);
    const local = await expectError(await call('POST', '/api/v1/jobs', { json: spec({ runMode: 'local' }) }), 400, 'invalid_spec');
    expect(local.detail).toMatch(/runMode: local jobs run in the SDK/);
    expect(await listJobs()).toEqual([]);
  });

  it('shows a dependent job PENDING with a waiting reason naming its dependency, then runs it', async () => {
    const first = await submit();
    const second = await submit({ dependsOn: [first.id] });
    expect(second).toMatchObject({ state: 'PENDING', waitingReason: `waiting for job ${first.id} to complete` });
    await runAll();
    expect(await status(first.id)).toMatchObject({ state: 'COMPLETED' });
    expect(await status(second.id)).toMatchObject({ state: 'COMPLETED' });
  });

  it('fails a dependent of a cancelled job, naming it', async () => {
    const first = await submit();
    const second = await submit({ dependsOn: [first.id] });
    expect((await call('POST', `/api/v1/jobs/${first.id}/cancel`)).status).toBe(200);
    expect(await status(second.id)).toMatchObject({ state: 'FAILED', error: { message: `dependency job ${first.id} was cancelled` } });
    expect((await status(second.id)).waitingReason).toBeUndefined();
  });
});

describe('POST /jobs: idempotency and limits', () => {
  it('answers a repeated idempotency key with 200 and the existing job', async () => {
    const first = await submit({ idempotencyKey: 'nightly-2030-01-01' });
    expect(first.existing).toBeUndefined();
    const again = await submit({ idempotencyKey: 'nightly-2030-01-01', input: { items: [9] } }, 200);
    expect(again).toMatchObject({ id: first.id, existing: true, items: 3 });
    expect((await listJobs()).map((job) => job.id)).toEqual([first.id]);
    const other = await submit({ idempotencyKey: 'nightly-2030-01-02' });
    expect(other.id).not.toBe(first.id);
  });

  it('answers the same idempotency key sent twice at once with one job', async () => {
    const responses = await Promise.all([1, 2].map(() => call('POST', '/api/v1/jobs', { json: spec({ idempotencyKey: 'at-once' }) })));
    const statuses = await Promise.all(responses.map((response) => readBody(response, JobStatus)));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 201]);
    expect(statuses[0]!.id).toBe(statuses[1]!.id);
    expect(await listJobs()).toHaveLength(1);
  });

  it('rejects a job over maxQueuedJobs with 429, recording it as REJECTED with the reason', async () => {
    await useLimits({ maxQueuedJobs: 2 });
    const running = [await submit(), await submit()];
    const response = await call('POST', '/api/v1/jobs', { json: spec({ name: 'one too many' }) });
    const { job: rejected } = RejectedJobProblem.parse(await expectError(response, 429, 'over_capacity'));
    expect(rejected).toMatchObject({ name: 'one too many', state: 'REJECTED', error: { message: '2 jobs are queued or running, the limit is 2' } });
    expect((await listJobs()).map((job) => [job.id, job.state])).toEqual([
      [running[0]!.id, 'PENDING'],
      [running[1]!.id, 'PENDING'],
      [rejected.id, 'REJECTED'],
    ]);
    const events = (await readBody(await call('GET', `/api/v1/jobs/${rejected.id}/events`), EventList)).events;
    expect(events).toMatchObject([{ from: null, to: 'REJECTED', reason: '2 jobs are queued or running, the limit is 2' }]);

    // Room again once a job ends.
    await call('POST', `/api/v1/jobs/${running[0]!.id}/cancel`);
    await submit();
  });

  it('rejects a spec over maxSpecBytes with 413, recording it; a body over maxBodyBytes records nothing', async () => {
    await useLimits({ maxSpecBytes: 500, maxBodyBytes: 2000 });
    const items = Array.from({ length: 200 }, (_, i) => i);
    const response = await call('POST', '/api/v1/jobs', { json: spec({ name: 'too big', input: { items } }) });
    const { job: rejected } = RejectedJobProblem.parse(await expectError(response, 413, 'too_large'));
    expect(rejected).toMatchObject({ name: 'too big', state: 'REJECTED', progress: { total: 0 } });
    expect(rejected.error?.message).toMatch(/spec of \d+ bytes is over the limit of 500/);

    const huge = Array.from({ length: 1000 }, (_, i) => i);
    await expectError(await call('POST', '/api/v1/jobs', { json: spec({ name: 'huge', input: { items: huge } }) }), 413, 'too_large');
    expect((await listJobs()).map((job) => job.name)).toEqual(['too big']);
  });
});

describe('job events, pause and resume', () => {
  it('lists the transitions with time and reason', async () => {
    const { id } = await submit({ input: { items: [1] } });
    await runAll();
    const { events } = await readBody(await call('GET', `/api/v1/jobs/${id}/events`), EventList);
    expect(events.map((event) => [event.from, event.to, event.reason])).toEqual([
      [null, 'SUBMITTED', 'submitted'],
      ['SUBMITTED', 'PENDING', 'accepted: 1 task'],
      ['PENDING', 'RUNNING', 'task 0 leased to w_1'],
      ['RUNNING', 'COMPLETED', 'all tasks done'],
    ]);
    expect(events.every((event) => new Date(event.time).toISOString() === event.time)).toBe(true);
    expect(new Set(events.map((event) => event.id)).size).toBe(4);
  });

  it('pauses and resumes, answering 409 where the state does not allow it', async () => {
    const paused = await submit({ runMode: 'paused' });
    expect(paused).toMatchObject({ state: 'PAUSED', runMode: 'paused', waitingReason: expect.stringMatching(/^paused/) as string });
    await expectError(await call('POST', `/api/v1/jobs/${paused.id}/pause`), 409, 'conflict');
    expect(await parts.scheduler.leaseNext(asker('w_1'))).toBeUndefined();

    const resumed = await readBody(await call('POST', `/api/v1/jobs/${paused.id}/resume`), JobStatus);
    expect(resumed.state).toBe('PENDING');
    await expectError(await call('POST', `/api/v1/jobs/${paused.id}/resume`), 409, 'conflict');
    await parts.scheduler.leaseNext(asker('w_1'));
    expect((await readBody(await call('POST', `/api/v1/jobs/${paused.id}/pause`), JobStatus)).state).toBe('PAUSED');
    expect((await readBody(await call('POST', `/api/v1/jobs/${paused.id}/resume`), JobStatus)).state).toBe('RUNNING');

    await call('POST', `/api/v1/jobs/${paused.id}/cancel`);
    const conflict = await expectError(await call('POST', `/api/v1/jobs/${paused.id}/pause`), 409, 'conflict');
    expect(conflict.detail).toContain('CANCELLED');
  });
});

describe('waiting reasons', () => {
  it('says when no worker is connected, when none matches, and nothing once one does', async () => {
    const job = await submit({ requires: { webgpu: true } });
    expect((await status(job.id)).waitingReason).toMatch(/no workers connected/);
    await joinFakeWorker(parts.gateway, 'w_cpu');
    expect((await status(job.id)).waitingReason).toBe('no connected worker can run it: needs WebGPU');
    await joinFakeWorker(parts.gateway, 'w_gpu', { webgpu: { vendor: 'google', architecture: 'swiftshader' } });
    expect((await status(job.id)).waitingReason).toBeUndefined();

    const debugJob = await submit({ runMode: 'debug' });
    expect((await status(debugJob.id)).waitingReason).toMatch(/debug job needs a worker that joined with debug=1/);
    expect(debugJob.runMode).toBe('debug');
  });

  it('says how many workers a gang job waits for together', async () => {
    await joinFakeWorker(parts.gateway, 'w_one');
    const job = await submit({ input: { items: [1] }, gang: { size: 3 } });
    expect((await status(job.id)).waitingReason).toMatch(/^a gang task waits for 3 workers together \(1 connected can run it\)/);
  });
});

describe('reduce results', () => {
  it('answers the reduce output at /result, and leaves it out of /results', async () => {
    const { id } = await submit({ input: { items: [1, 2, 3], chunkSize: 2 }, reduce: 'export default (outputs) => outputs.reduce((a, b) => a + b, 0)' });
    await expectError(await call('GET', `/api/v1/jobs/${id}/result`), 409, 'conflict');
    // Two map tasks; the reduce step is shown apart, counted as none of them.
    expect((await status(id)).progress).toEqual({ total: 2, done: 0, failed: 0, running: 0, reduce: 'waiting' });
    await runAll();
    expect(await status(id)).toMatchObject({ state: 'COMPLETED', items: 3, progress: { total: 2, done: 2, reduce: 'done' } });
    expect(await readBody(await call('GET', `/api/v1/jobs/${id}/result`), Result)).toEqual({ result: 12 });
    expect(await readNdjson(await call('GET', `/api/v1/jobs/${id}/results`), ItemResult)).toEqual([
      { index: 0, output: 2 },
      { index: 1, output: 4 },
      { index: 2, output: 6 },
    ]);
  });

  it('answers 404 at /result for a job without reduce, and takes reduce code stored as a blob', async () => {
    const plain = await submit();
    await expectError(await call('GET', `/api/v1/jobs/${plain.id}/result`), 404, 'not_found');
    const reduce = 'export default (outputs) => outputs.length';
    const sha = await sha256Hex(reduce);
    const missing = await expectError(await call('POST', '/api/v1/jobs', { json: spec({ reduce: { blob: sha } }) }), 400, 'invalid_spec');
    expect(missing.details).toEqual([{ path: 'reduce.blob', message: 'unknown blob' }]);
    expect((await call('PUT', `/api/v1/blobs/${sha}`, { body: reduce })).status).toBe(201);
    await submit({ reduce: { blob: sha } });
  });
});
