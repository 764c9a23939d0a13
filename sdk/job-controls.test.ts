import { beforeAll, describe, expect, test } from 'vitest';
import { JobRejectedError } from './errors.js';
import { rejection, useRealGrids, type RealGrid } from './test-support.js';

// An admin's controls of a job through the SDK, against the real coordinator: a failed job
// retried, a job submitted again, its priority and run mode changed.

/** Throws on item 1's first attempt, squares on any later one (and every other item): a failed job retried completes. */
const code = 'export default (x, ctx) => { if (x === 1 && ctx.task.attempt === 1) throw new Error(`first try of ${x}`); return x * x; }';
const spec = { name: 'second-time-lucky', code, input: { items: [1, 2, 3] }, retry: { maxAttempts: 1, distinctWorkers: 1 } };
const idle = useRealGrids();
const workers = useRealGrids('all');
let working: RealGrid;
beforeAll(async () => {
  working = await workers.start();
  await workers.addWorker(working);
});

describe('job.retryFailed()', () => {
  test('runs a FAILED job again: the tasks that threw the first time complete, every result is there', async () => {
    const job = await working.grid.submit(spec);
    await expect(job.wait()).rejects.toMatchObject({ name: 'JobFailedError', state: 'FAILED', message: 'first try of 1' });
    const retried = await job.retryFailed();
    expect(['PENDING', 'RUNNING']).toContain(retried.state);
    expect(retried.endedAt).toBeUndefined();
    const final = await job.wait();
    expect(final).toMatchObject({ state: 'COMPLETED', progress: { done: 3, failed: 0 } });
    expect(final.startedAt).toBeDefined();
    expect(final.endedAt).toBeDefined();
    const outputs: unknown[] = [];
    for await (const { output } of job.results()) outputs.push(output);
    expect(outputs).toEqual([1, 4, 9]);
    expect((await job.events()).find((event) => event.from === 'FAILED')).toMatchObject({ to: 'PENDING', reason: expect.stringMatching(/^retrying \d failed tasks \(by an admin\)$/) as string });
    // Completed now: there is nothing to retry.
    await expect(job.retryFailed()).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict', message: expect.stringContaining('is COMPLETED') as string });
  });
});

describe('job.resubmit()', () => {
  test('makes a new job of the same spec, which runs on its own', async () => {
    const first = await working.grid.submit({ ...spec, name: 'again', retry: { maxAttempts: 2, distinctWorkers: 1, backoff: { initialMs: 0 } } });
    await first.wait();
    const second = await first.resubmit();
    expect(second.id).not.toBe(first.id);
    expect(second.existing).toBe(false);
    expect(await second.wait()).toMatchObject({ name: 'again', state: 'COMPLETED' });
    expect((await working.grid.jobs({ name: 'again' })).map((job) => job.id)).toEqual([first.id, second.id]);
  });

  test('a full queue rejects it with JobRejectedError, as it would a submit', async () => {
    const { grid } = await idle.start({ maxQueuedJobs: 1 });
    const job = await grid.submit(spec);
    const error = await rejection(job.resubmit());
    expect(error).toBeInstanceOf(JobRejectedError);
    expect(error).toMatchObject({ status: 429, reason: '1 jobs are queued or running, the limit is 1' });
  });
});

describe('job.setPriority() and job.setRunMode()', () => {
  test('set the priority and the run mode of a waiting job; wrong values are 400, an ended job 409', async () => {
    const { grid } = await idle.start();
    const job = await grid.submit(spec);
    expect(await job.setPriority(-5)).toMatchObject({ priority: -5 });
    expect((await job.status()).priority).toBe(-5);
    expect(await job.setRunMode('debug')).toMatchObject({ runMode: 'debug' });
    expect(await job.setRunMode('immediate')).toMatchObject({ runMode: 'immediate' });
    await expect(job.setPriority(1001)).rejects.toMatchObject({ name: 'HTTPError', status: 400, code: 'invalid_spec' });
    await job.cancel();
    await expect(job.setPriority(1)).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict' });
    await expect(job.setRunMode('debug')).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict' });
  });
});
