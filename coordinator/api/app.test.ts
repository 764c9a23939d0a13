import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  ItemResult,
  JobStatus,
  LogEntry,
  Stats,
  TaskStatus,
  WorkerStatus,
  sha256Hex,
  type JobSpecInput,
} from '../../shared/index.js';
import type { Store } from '../store/index.js';
import {
  ADMIN_TOKEN,
  DOUBLE_CODE,
  FakeSocket,
  JOIN_TOKEN,
  appCaller,
  asker,
  capabilities,
  doubled,
  expectError,
  openParts,
  readBody,
  readNdjson,
  testApp,
  useTempDirs,
  type Caller,
  type Parts,
} from '../test-helpers.js';

const ADMIN = ADMIN_TOKEN;
const JOIN = JOIN_TOKEN;
const MAX_BODY_BYTES = 4096;
const newTempDir = useTempDirs();

const JobList = z.object({ jobs: z.array(JobStatus) });
const TaskList = z.object({ tasks: z.array(TaskStatus) });
const WorkerList = z.object({ workers: z.array(WorkerStatus) });

let parts: Parts;
let call: Caller;
let webRoot: string;

function buildApp(store: Store = parts.store): Caller {
  return appCaller(testApp(parts, webRoot, { store, limits: { maxBodyBytes: MAX_BODY_BYTES } }));
}

beforeEach(async () => {
  parts = await openParts();
  const dir = await newTempDir();
  webRoot = join(dir, 'web');
  await mkdir(join(webRoot, 'web-worker'), { recursive: true });
  await mkdir(join(webRoot, 'assets'), { recursive: true });
  await writeFile(join(webRoot, 'web-worker', 'join.html'), '<!doctype html><title>join</title>');
  await writeFile(join(webRoot, 'assets', 'app-1234.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside the web root');
  call = buildApp();
});

afterEach(async () => {
  await parts.close();
});

const validSpec = (overrides: Partial<JobSpecInput> = {}): JobSpecInput => ({
  name: 'doubles',
  code: DOUBLE_CODE,
  input: { items: [1, 2, 3, 4, 5], chunkSize: 2 },
  ...overrides,
});

async function submit(spec: JobSpecInput = validSpec()): Promise<JobStatus> {
  const response = await call('POST', '/api/v1/jobs', { json: spec });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

async function listJobs(): Promise<JobStatus[]> {
  return (await readBody(await call('GET', '/api/v1/jobs'), JobList)).jobs;
}

/** Leases every ready task to one worker and reports doubled outputs, last task first. */
async function runAllBackwards(): Promise<void> {
  const leases = [];
  for (let lease = await parts.scheduler.leaseNext(asker('w_1')); lease; lease = await parts.scheduler.leaseNext(asker('w_1'))) leases.push(lease);
  for (const lease of leases.reverse()) {
    expect(await parts.scheduler.complete('w_1', lease.leaseId, doubled(lease))).toBe('accepted');
  }
}

const SHA_A = 'a'.repeat(64);
const ADMIN_ROUTES: [string, string][] = [
  ['GET', '/api/v1/jobs'],
  ['POST', '/api/v1/jobs'],
  ['GET', '/api/v1/jobs/job_x'],
  ['GET', '/api/v1/jobs/job_x/tasks'],
  ['GET', '/api/v1/jobs/job_x/results'],
  ['GET', '/api/v1/jobs/job_x/logs'],
  ['GET', '/api/v1/jobs/job_x/result'],
  ['GET', '/api/v1/jobs/job_x/events'],
  ['GET', '/api/v1/jobs/job_x/events?follow=1'],
  ['GET', '/api/v1/jobs/job_x/logs?follow=1'],
  ['POST', '/api/v1/jobs/job_x/cancel'],
  ['POST', '/api/v1/jobs/job_x/pause'],
  ['POST', '/api/v1/jobs/job_x/resume'],
  ['GET', '/metrics'],
  ['PUT', `/api/v1/blobs/${SHA_A}`],
  ['GET', `/api/v1/blobs/${SHA_A}`],
  ['GET', '/api/v1/workers'],
  ['GET', '/api/v1/join-url'],
  ['GET', '/api/v1/stats'],
  ['GET', '/api/v1/stats/history'],
  ['GET', '/api/v1/feed'],
  ['GET', '/api/v1/jobs/job_x/tasks/0'],
  ['GET', '/api/v1/jobs/job_x/task-map'],
  ['GET', '/api/v1/no-such-route'],
];

describe('API authentication', () => {
  it('answers health without a token', async () => {
    const response = await call('GET', '/api/v1/health', { token: null });
    expect(response.status).toBe(200);
    expect(await readBody(response, z.object({ ok: z.literal(true) }))).toEqual({ ok: true });
  });

  it.each(ADMIN_ROUTES)('refuses %s %s without the admin token, with a wrong one, and with the join token', async (method, path) => {
    const json = method === 'POST' && path === '/api/v1/jobs' ? validSpec() : undefined;
    for (const token of [null, 'wrong-token', JOIN, `${ADMIN}x`]) {
      await expectError(await call(method, path, { token, json }), 401, 'unauthorized');
    }
    await expectError(await call(method, path, { token: null, json, headers: { authorization: ADMIN } }), 401, 'unauthorized');
    expect(await parts.store.listJobs()).toEqual([]);
  });

  it('accepts the admin token under any casing of "Bearer"', async () => {
    const response = await call('GET', '/api/v1/jobs', { token: null, headers: { authorization: `bearer ${ADMIN}` } });
    expect(response.status).toBe(200);
  });
});

describe('POST /api/v1/jobs', () => {
  it('creates a valid job and answers 201 with its status', async () => {
    const status = await submit();
    expect(status).toMatchObject({
      name: 'doubles',
      state: 'PENDING',
      priority: 0,
      items: 5,
      progress: { total: 3, done: 0, failed: 0, running: 0 },
    });
    expect(status.error).toBeUndefined();
    expect(await readBody(await call('GET', `/api/v1/jobs/${status.id}`), JobStatus)).toEqual(status);
    expect((await listJobs()).map((job) => job.id)).toEqual([status.id]);

    const tasks = (await readBody(await call('GET', `/api/v1/jobs/${status.id}/tasks`), TaskList)).tasks;
    expect(tasks.map((task) => [task.index, task.state, task.firstItem, task.itemCount])).toEqual([
      [0, 'ready', 0, 2],
      [1, 'ready', 2, 2],
      [2, 'ready', 4, 1],
    ]);
    // The code went into the blob store under its hash.
    expect(await parts.store.hasBlob(await sha256Hex(DOUBLE_CODE))).toBe(true);
  });

  it.each([
    ['input.chunkSize', validSpec({ input: { items: [1], chunkSize: 0 } })],
    ['input.items', validSpec({ input: { items: [] } })],
    ['name', { code: DOUBLE_CODE, input: { items: [1] } }],
    ['code', validSpec({ code: '' })],
    ['retry.maxAttempts', validSpec({ retry: { maxAttempts: 0 } })],
    ['priority', validSpec({ priority: 1.5 })],
    ['(root)', { ...validSpec(), surprise: true }],
  ])('refuses a spec with a bad %s with 400 invalid_spec naming it, creating nothing', async (path, spec) => {
    const error = await expectError(await call('POST', '/api/v1/jobs', { json: spec }), 400, 'invalid_spec');
    const details = z.array(z.object({ path: z.string(), message: z.string() })).parse(error.details);
    expect(details.map((detail) => detail.path)).toContain(path);
    expect(error.detail).toContain(path);
    expect(await listJobs()).toEqual([]);
    expect(await parts.store.hasBlob(await sha256Hex(DOUBLE_CODE))).toBe(false);
    expect(parts.scheduler.queueDepth()).toBe(0);
  });

  it('refuses a body that is not JSON by its Content-Type with 415', async () => {
    const body = JSON.stringify(validSpec());
    await expectError(await call('POST', '/api/v1/jobs', { body }), 415, 'unsupported_media_type');
    await expectError(await call('POST', '/api/v1/jobs', { body, headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    await expectError(
      await call('POST', '/api/v1/jobs', { body: new URLSearchParams({ name: 'x' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      415,
      'unsupported_media_type',
    );
    expect(await listJobs()).toEqual([]);
  });

  it('refuses malformed JSON and an empty body with 400 invalid_json', async () => {
    const headers = { 'content-type': 'application/json' };
    await expectError(await call('POST', '/api/v1/jobs', { body: '{"name": "x",', headers }), 400, 'invalid_json');
    await expectError(await call('POST', '/api/v1/jobs', { body: '', headers }), 400, 'invalid_json');
    expect(await listJobs()).toEqual([]);
  });

  it('refuses a JSON value that is not an object with 400 invalid_spec', async () => {
    await expectError(await call('POST', '/api/v1/jobs', { json: [1, 2] }), 400, 'invalid_spec');
    await expectError(await call('POST', '/api/v1/jobs', { json: null }), 400, 'invalid_spec');
  });

  it('refuses a body over maxBodyBytes with 413, with or without Content-Length, recording nothing', async () => {
    const big = validSpec({ input: { items: Array.from({ length: MAX_BODY_BYTES }, (_, i) => i) } });
    const body = JSON.stringify(big);
    expect(body.length).toBeGreaterThan(MAX_BODY_BYTES);
    await expectError(await call('POST', '/api/v1/jobs', { json: big }), 413, 'too_large');
    await expectError(
      await call('POST', '/api/v1/jobs', { body, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }),
      413,
      'too_large',
    );
    expect(await listJobs()).toEqual([]);
  });

  it('takes code stored as a blob, and refuses a blob that is not there', async () => {
    const missing = await expectError(await call('POST', '/api/v1/jobs', { json: validSpec({ code: { blob: SHA_A } }) }), 400, 'invalid_spec');
    expect(missing.details).toEqual([{ path: 'code.blob', message: 'unknown blob' }]);
    expect(await listJobs()).toEqual([]);

    const code = 'export default (x) => x + 1';
    const sha = await sha256Hex(code);
    expect((await call('PUT', `/api/v1/blobs/${sha}`, { body: code })).status).toBe(201);
    const status = await submit(validSpec({ code: { blob: sha } }));
    const lease = await parts.scheduler.leaseNext(asker('w_1'));
    expect(lease).toMatchObject({ jobId: status.id, code: sha });
  });
});

describe('job routes', () => {
  it.each([
    ['GET', ''],
    ['GET', '/tasks'],
    ['GET', '/results'],
    ['GET', '/logs'],
    ['GET', '/logs?follow=1'],
    ['GET', '/events'],
    ['GET', '/events?follow=1'],
    ['GET', '/result'],
    ['POST', '/cancel'],
    ['POST', '/pause'],
    ['POST', '/resume'],
  ])('answers 404 for %s /jobs/<unknown>%s', async (method, suffix) => {
    await submit();
    const error = await expectError(await call(method, `/api/v1/jobs/job_nope${suffix}`), 404, 'not_found');
    expect(error.detail).toContain('job_nope');
  });

  it('streams results as NDJSON in item order, whatever order tasks finished in', async () => {
    const { id } = await submit();
    expect(await readNdjson(await call('GET', `/api/v1/jobs/${id}/results`), ItemResult)).toEqual([]);
    await runAllBackwards();

    const results = await readNdjson(await call('GET', `/api/v1/jobs/${id}/results`), ItemResult);
    expect(results).toEqual([1, 2, 3, 4, 5].map((x, index) => ({ index, output: x * 2 })));
    expect(await readBody(await call('GET', `/api/v1/jobs/${id}`), JobStatus)).toMatchObject({
      state: 'COMPLETED',
      progress: { total: 3, done: 3, failed: 0, running: 0 },
    });
    // Finished jobs are read from the store, not from memory.
    const tasks = (await readBody(await call('GET', `/api/v1/jobs/${id}/tasks`), TaskList)).tasks;
    expect(tasks.map((task) => [task.state, task.attempts, task.workerId])).toEqual([
      ['done', 1, 'w_1'],
      ['done', 1, 'w_1'],
      ['done', 1, 'w_1'],
    ]);
  });

  it('streams the task logs as NDJSON', async () => {
    const { id } = await submit();
    const lease = (await parts.scheduler.leaseNext(asker('w_1')))!;
    parts.scheduler.log('w_1', lease.leaseId, 'info', 'starting');
    parts.scheduler.log('w_1', lease.leaseId, 'error', 'oops');
    // Log lines are written in batches; wait for the batch to land.
    const logs = await vi.waitFor(
      async () => {
        const lines = await readNdjson(await call('GET', `/api/v1/jobs/${id}/logs`), LogEntry);
        expect(lines).toHaveLength(2);
        return lines;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(logs).toMatchObject([
      { level: 'info', message: 'starting', taskIndex: 0, workerId: 'w_1' },
      { level: 'error', message: 'oops', taskIndex: 0, workerId: 'w_1' },
    ]);
    expect(new Date(logs[0]!.time).toISOString()).toBe(logs[0]!.time);
  });

  it('cancels a running job, then answers 409 to a second cancel', async () => {
    const { id } = await submit();
    await parts.scheduler.leaseNext(asker('w_1'));
    const cancelled = await readBody(await call('POST', `/api/v1/jobs/${id}/cancel`), JobStatus);
    expect(cancelled).toMatchObject({ id, state: 'CANCELLED', progress: { total: 3, done: 0, running: 0 } });
    expect(parts.scheduler.queueDepth()).toBe(0);

    const conflict = await expectError(await call('POST', `/api/v1/jobs/${id}/cancel`), 409, 'conflict');
    expect(conflict.detail).toContain('CANCELLED');
    expect((await readBody(await call('GET', `/api/v1/jobs/${id}`), JobStatus)).state).toBe('CANCELLED');
  });

  it('answers 409 to cancelling a completed job', async () => {
    const { id } = await submit(validSpec({ input: { items: [1] } }));
    await runAllBackwards();
    await expectError(await call('POST', `/api/v1/jobs/${id}/cancel`), 409, 'conflict');
    expect((await readBody(await call('GET', `/api/v1/jobs/${id}`), JobStatus)).state).toBe('COMPLETED');
  });

  it('shows a failed job with its error', async () => {
    const { id } = await submit(validSpec({ input: { items: [1] }, retry: { maxAttempts: 1, distinctWorkers: 1 } }));
    const lease = (await parts.scheduler.leaseNext(asker('w_1')))!;
    await parts.scheduler.fail('w_1', lease.leaseId, { message: 'bad input' });
    const status = await readBody(await call('GET', `/api/v1/jobs/${id}`), JobStatus);
    expect(status).toMatchObject({ state: 'FAILED', error: { message: 'bad input', taskIndex: 0 }, progress: { failed: 1 } });
  });
});

describe('system routes', () => {
  it('answers the join URL with the join token', async () => {
    const body = await readBody(await call('GET', '/api/v1/join-url'), z.object({ url: z.string() }));
    expect(body).toEqual({ url: `http://tabgrid.test:8080/join?token=${JOIN}` });
  });

  it('answers stats in the shared shape, counting jobs, tasks and scheduler events', async () => {
    const empty = await readBody(await call('GET', '/api/v1/stats'), Stats);
    expect(empty).toMatchObject({ jobs: {}, tasks: {}, workers: 0, queueDepth: 0, leaseLapses: 0, retries: 0, lateResults: 0, timeouts: 0, backups: 0, tasksPerSecond: 0 });
    expect(empty.uptimeSeconds).toBeGreaterThanOrEqual(0);

    await submit(validSpec({ input: { items: [1] } }));
    await runAllBackwards();
    // One completion in the last 10 s of the scheduler's clock.
    expect((await readBody(await call('GET', '/api/v1/stats'), Stats)).tasksPerSecond).toBe(0.1);
    const running = await submit(validSpec({ input: { items: [1, 2, 3] } }));
    const lease = (await parts.scheduler.leaseNext(asker('w_1')))!;
    await parts.scheduler.complete('w_1', 'lease_stale', [0]);
    parts.clock.advance(30_000);
    await parts.scheduler.sweep();

    const stats = await readBody(await call('GET', '/api/v1/stats'), Stats);
    expect(stats).toMatchObject({
      jobs: { COMPLETED: 1, RUNNING: 1 },
      tasks: { done: 1, ready: 3 },
      workers: 0,
      queueDepth: 3,
      leaseLapses: 1,
      retries: 1,
      lateResults: 1,
      timeouts: 0,
      tasksPerSecond: 0,
    });
    expect(lease.jobId).toBe(running.id);
  });

  it('lists connected workers', async () => {
    expect(await readBody(await call('GET', '/api/v1/workers'), WorkerList)).toEqual({ workers: [] });
    const session = parts.gateway.connect(new FakeSocket());
    await parts.gateway.receive(session, JSON.stringify({ type: 'hello', workerId: 'w_listed', capabilities }));
    const { workers } = await readBody(await call('GET', '/api/v1/workers'), WorkerList);
    expect(workers).toMatchObject([{ id: 'w_listed', connected: true, tasksDone: 0, currentTasks: [], capabilities }]);
    expect((await readBody(await call('GET', '/api/v1/stats'), Stats)).workers).toBe(1);
  });
});

describe('error boundary', () => {
  it('answers an unexpected error with a bare 500 body: no message, no stack', async () => {
    const broken: Store = Object.assign(Object.create(parts.store) as Store, {
      listJobSummaries: () => Promise.reject(new Error('disk on fire at /var/lib/secret.db')),
    });
    call = buildApp(broken);
    // Logged with its stack instead: request-log.test.ts.
    const response = await call('GET', '/api/v1/jobs');
    const text = await response.clone().text();
    const error = await expectError(response, 500, 'internal');
    expect(error.detail).toBe('internal error');
    expect(text).not.toContain('disk on fire');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    await expectError(await call('GET', '/api/v1/nothing-here'), 404, 'not_found');
    await expectError(await call('DELETE', '/api/v1/jobs'), 404, 'not_found');
    await expectError(await call('GET', '/nothing-here', { token: null }), 404, 'not_found');
  });
});

describe('web apps', () => {
  it('redirects / to the admin panel and serves the join page', async () => {
    const root = await call('GET', '/', { token: null });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/admin');

    const page = await call('GET', '/join?token=anything', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<title>join</title>');

    const asset = await call('GET', '/assets/app-1234.js', { token: null });
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 503 for a page that is not built, and 404 for a missing asset', async () => {
    const error = await expectError(await call('GET', '/admin', { token: null }), 503, 'not_built');
    expect(error.detail).toContain('npm run build');
    await expectError(await call('GET', '/assets/missing.js', { token: null }), 404, 'not_found');
  });

  it('never serves a file outside the web root', async () => {
    for (const path of ['/assets/%2e%2e/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const response = await call('GET', path, { token: null });
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('outside the web root');
    }
  });
});
