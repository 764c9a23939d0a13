import { beforeAll, describe, expect, test } from 'vitest';
import type { JobEvent } from '../shared/index.js';
import { JobRejectedError, isHTTPError, isJobRejectedError, isTabgridError } from './errors.js';
import { rejection, useRealGrids, type RealGrid } from './test-support.js';

// Submitting, steering and reading a job against the real coordinator. Following its events and
// logs is in job-follow.test.ts, waiting through a coordinator restart in job-outage.test.ts.

const code = 'export default (x) => x * x';
const spec = { name: 'squares', code, input: { items: [1, 2, 3] } };
const idle = useRealGrids();
const workers = useRealGrids('all');
let working: RealGrid;
beforeAll(async () => {
  working = await workers.start();
  await workers.addWorker(working);
});

const transitions = (events: readonly JobEvent[]): string[] => events.map((event) => `${event.from ?? '-'}>${event.to}`);

describe('submit: idempotency and rejection', () => {
  test('the same idempotencyKey returns the job made the first time, marked existing', async () => {
    const { grid } = await idle.start();
    const first = await grid.submit({ ...spec, idempotencyKey: 'nightly-2030-01-01' });
    const again = await grid.submit({ ...spec, idempotencyKey: 'nightly-2030-01-01' });
    expect([first.existing, again.id, again.existing]).toEqual([false, first.id, true]);
    expect((await grid.jobs()).map((job) => job.id)).toEqual([first.id]);
  });

  test('a full queue (429) rejects with JobRejectedError; the job exists as REJECTED', async () => {
    const { grid } = await idle.start({ maxQueuedJobs: 1 });
    await grid.submit(spec);
    const error = await rejection(grid.submit(spec));
    expect(error).toBeInstanceOf(JobRejectedError);
    if (!isJobRejectedError(error)) return;
    expect(isTabgridError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'JobRejectedError',
      status: 429,
      reason: '1 jobs are queued or running, the limit is 1',
      message: `job ${error.jobId} was rejected: 1 jobs are queued or running, the limit is 1`,
    });
    expect(isHTTPError(error.cause)).toBe(true);
    const status = await grid.job(error.jobId).status();
    expect(status).toMatchObject({ state: 'REJECTED', error: { message: '1 jobs are queued or running, the limit is 1' } });
    expect(transitions(await grid.job(error.jobId).events())).toEqual(['->REJECTED']);
  });

  test('a spec over maxSpecBytes (413) rejects with JobRejectedError', async () => {
    const { grid } = await idle.start({ maxSpecBytes: 100 });
    const error = await rejection(grid.submit({ ...spec, input: { items: Array.from({ length: 50 }, (_, index) => index) } }));
    expect(error).toMatchObject({ name: 'JobRejectedError', status: 413, jobId: expect.stringMatching(/^job_/) as string });
    expect((error as JobRejectedError).reason).toMatch(/^spec of \d+ bytes is over the limit of 100$/);
  });

  test('a body over maxBodyBytes is no job: it stays an HTTPError with code too_large', async () => {
    const { grid } = await idle.start({ maxBodyBytes: 10 });
    const error = await rejection(grid.submit(spec));
    expect(error).toMatchObject({ name: 'HTTPError', status: 413, code: 'too_large' });
    expect(await grid.jobs()).toEqual([]);
  });
});

describe('pause and resume', () => {
  test('pause stops a PENDING job with a waiting reason; resume lets it go on; wrong states are 409', async () => {
    const { grid } = await idle.start();
    const job = await grid.submit(spec);
    const paused = await job.pause();
    expect(paused).toMatchObject({ state: 'PAUSED', waitingReason: expect.stringMatching(/^paused/) as string });
    await expect(job.pause()).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict' });
    const resumed = await job.resume();
    expect(resumed).toMatchObject({ state: 'PENDING', waitingReason: expect.stringMatching(/^no workers connected/) as string });
    await expect(job.resume()).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict' });
    expect(transitions(await job.events())).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>PAUSED', 'PAUSED>PENDING']);
  });

  test('runMode paused waits for resume, then runs', async () => {
    const job = await working.grid.submit({ ...spec, runMode: 'paused' });
    expect(await job.status()).toMatchObject({ state: 'PAUSED', runMode: 'paused' });
    await job.resume();
    expect((await job.wait()).state).toBe('COMPLETED');
  });
});

describe('result', () => {
  test('a range job with a reduce step resolves the reduced result', async () => {
    const job = await working.grid.submit({
      name: 'sum of ranges',
      code: 'export default ({ start, end }) => { let s = 0; for (let i = start; i < end; i++) s += i; return s; }',
      input: { range: { start: 0, end: 100 }, chunks: 7 },
      reduce: 'export default (outputs) => outputs.reduce((a, b) => a + b, 0)',
    });
    // Seven map tasks; the reduce step is shown apart.
    expect((await job.wait()).progress).toEqual({ total: 7, done: 7, failed: 0, running: 0, reduce: 'done' });
    expect(await job.result()).toBe(4950);
  });

  test('404 without a reduce step, 409 before the job completed', async () => {
    const { grid } = await idle.start();
    const plain = await grid.submit(spec);
    await expect(plain.result()).rejects.toMatchObject({ name: 'HTTPError', status: 404, code: 'not_found' });
    const reduced = await grid.submit({ ...spec, reduce: 'export default (o) => o.length' });
    await expect(reduced.result()).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict' });
  });
});
