import { beforeAll, describe, expect, test } from 'vitest';
import { JobFailedError, isJobFailedError, isTimeoutError } from './errors.js';
import { EVENTUALLY, answeredPolls, collect, rejection, sentSpecs, useRealGrids, type RealGrid } from './test-support.js';

// Job.wait, the job reads and map() against the real coordinator: tasks are run by a real Node
// worker joined to `working`; `idle` grids have no worker, so their jobs stay PENDING.

const code = 'export default (x) => x * x';
const spec = { name: 'w', code, input: { items: [1] } };
const idle = useRealGrids();
const workers = useRealGrids('all');
let working: RealGrid;
beforeAll(async () => {
  working = await workers.start();
  await workers.addWorker(working);
});

describe('Job.wait', () => {
  test('follows the job until COMPLETED and resolves the final status: one status read per end, not one per poll interval', async () => {
    const { grid, sent } = working;
    const job = await grid.submit({ ...spec, runMode: 'paused' });
    const waiting = job.wait();
    const following = () => sent.filter((request) => request.path === `/api/v1/jobs/${job.id}/events?follow=1` && request.status === 200).length;
    await expect.poll(following, EVENTUALLY).toBe(1);
    // Fifty poll intervals (the client polls every 10 ms) while the job stays paused.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(answeredPolls(sent, job.id)).toBe(1);
    await job.resume();
    const final = await waiting;
    expect(final).toMatchObject({ state: 'COMPLETED', progress: { done: 1, total: 1 } });
    expect(answeredPolls(sent, job.id)).toBe(2);
    expect(following()).toBe(1);
  });

  test('a FAILED job rejects with JobFailedError carrying the task message', async () => {
    const job = await working.grid.submit({ ...spec, code: 'export default () => { throw new Error("boom"); }', retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const error = await rejection(job.wait());
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ message: 'boom', jobId: job.id, state: 'FAILED', taskIndex: 0 });
  });

  test('a CANCELLED job rejects with JobFailedError in state CANCELLED', async () => {
    const { grid } = await idle.start();
    const job = await grid.submit(spec);
    await job.cancel();
    await expect(job.wait()).rejects.toMatchObject({ name: 'JobFailedError', state: 'CANCELLED', message: `job ${job.id} was cancelled` });
  });

  test('gives up with TimeoutError after timeoutMs', async () => {
    const { grid } = await idle.start();
    const job = await grid.submit(spec);
    const error = await rejection(job.wait({ timeoutMs: 30 }));
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 30, message: `job ${job.id} did not end within 30 ms` });
  });

  test('stops with the reason when its signal aborts', async () => {
    const { grid, sent } = await idle.start();
    const job = await grid.submit(spec);
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    const waiting = rejection(job.wait({ signal: controller.signal, timeoutMs: 10_000 }));
    await expect.poll(() => answeredPolls(sent, job.id), EVENTUALLY).toBeGreaterThan(0);
    controller.abort(reason);
    expect(await waiting).toBe(reason);
  });

  test('an unknown job rejects with the 404 HTTPError', async () => {
    const { grid } = await idle.start();
    await expect(grid.job('nope').wait()).rejects.toMatchObject({ name: 'HTTPError', status: 404, code: 'not_found' });
  });
});

describe('Job reads', () => {
  test('results() streams the NDJSON lines in order', async () => {
    const job = await working.grid.submit({ name: 'r', code: 'export default (x) => x', input: { items: ['é', { nested: [1, 2] }, null] } });
    await job.wait();
    expect(await collect(job.results())).toEqual([
      { index: 0, output: 'é' },
      { index: 1, output: { nested: [1, 2] } },
      { index: 2, output: null },
    ]);
  });

  test('logs() gives what the tasks logged, with task and worker', async () => {
    const job = await working.grid.submit({ name: 'l', code: 'export default (x, ctx) => { ctx.log("hi", x); return x; }', input: { items: [7] } });
    await job.wait();
    const [workerStatus] = await working.grid.workers();
    expect(await collect(job.logs())).toEqual([expect.objectContaining({ level: 'info', taskIndex: 0, workerId: workerStatus?.id, message: 'hi 7' })]);
  });

  test('tasks() and cancel(); cancelling an ended job is a 409', async () => {
    const { grid } = await idle.start();
    const job = await grid.submit(spec);
    expect(await job.tasks()).toEqual([
      { index: 0, state: 'ready', firstItem: 0, itemCount: 1, attempts: 0, failures: 0, lapses: 0, workerId: null, error: null },
    ]);
    expect((await job.cancel()).state).toBe('CANCELLED');
    await expect(job.cancel()).rejects.toMatchObject({ name: 'HTTPError', status: 409, code: 'conflict' });
  });
});

describe('map', () => {
  test('runs the function on every item and resolves the outputs in input order', async () => {
    const items = Array.from({ length: 25 }, (_, index) => index + 1);
    const outputs = await working.grid.map(items, async (x: number) => Promise.resolve(x * x), { chunkSize: 10, name: 'squares', priority: 5 });
    expect(outputs).toEqual(items.map((x) => x * x));
    expect(sentSpecs(working.sent)).toContainEqual(expect.objectContaining({ name: 'squares', priority: 5, input: expect.objectContaining({ items, chunkSize: 10 }) as unknown }));
  });

  test('a task that throws rejects with JobFailedError and its message', async () => {
    const error = await rejection(
      working.grid.map(
        [1, 2, 3],
        (x: number) => {
          if (x === 2) throw new Error(`cannot square ${x}`);
          return x * x;
        },
        { retry: { maxAttempts: 1, distinctWorkers: 1 } },
      ),
    );
    expect(isJobFailedError(error)).toBe(true);
    expect(error).toMatchObject({ message: 'cannot square 2', state: 'FAILED', taskIndex: 1 });
  });

  test('method shorthand is refused before anything is sent', async () => {
    const { grid, sent } = await idle.start();
    const shorthand = {
      double(this: void, x: number) {
        return x * 2;
      },
    };
    await expect(grid.map([1], shorthand.double)).rejects.toThrow(/method shorthand/);
    expect(sent).toEqual([]);
  });

  test('no items resolve [] without submitting a job', async () => {
    const { grid, sent } = await idle.start();
    expect(await grid.map([], (x: number) => x)).toEqual([]);
    expect(sent).toEqual([]);
  });

  test('missing results are an error, not holes in the array', async () => {
    // The coordinator refuses a result with too few outputs, so no real job completes with one
    // missing: the results stream of a real completed job loses a line on its way here instead.
    const grid = working.client({
      wrap: (fetch) => async (input, init) => {
        const response = await fetch(input, init);
        if (!new URL(input).pathname.endsWith('/results')) return response;
        const lines = (await response.text()).split('\n').filter((line) => !line.startsWith('{"index":1,'));
        return new Response(lines.join('\n'), { headers: response.headers });
      },
    });
    await expect(grid.map([1, 2], (x: number) => x)).rejects.toThrow(/^job job_\w+ completed without a result for item 1$/);
  });
});
