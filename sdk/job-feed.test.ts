import { describe, expect, test } from 'vitest';
import type { JobStatus } from '../shared/index.js';
import { EVENTUALLY, answeredPolls, collect, useRealGrids } from './test-support.js';

// Following a job's status through the real coordinator's feed (`GET /api/v1/feed`), and reading
// one task in full.

const spec = { name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2, 3], chunkSize: 1 } };
const grids = useRealGrids();

describe('followStatus', () => {
  test('yields the status now, then as it changes, and ends with the final one: pushed, not polled', async () => {
    const real = await grids.start();
    const job = await real.grid.submit({ ...spec, runMode: 'paused' });
    const seen: JobStatus[] = [];
    const following = (async () => {
      for await (const status of job.followStatus()) seen.push(status);
    })();
    await expect.poll(() => seen.map((status) => status.state), EVENTUALLY).toEqual(['PAUSED']);
    await grids.addWorker(real);
    await job.resume();
    await following;
    expect(seen.at(-1)).toMatchObject({ id: job.id, state: 'COMPLETED', progress: { total: 3, done: 3 } });
    const done = seen.map((status) => status.progress.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The status is read once, when the feed is connected; every change after came pushed.
    expect(answeredPolls(real.sent, job.id)).toBe(1);
  });

  test('of a job that has ended yields its final status alone', async () => {
    const { grid } = await grids.start();
    const job = await grid.submit(spec);
    await job.cancel();
    expect((await collect(job.followStatus())).map((status) => status.state)).toEqual(['CANCELLED']);
  });

  test('of a job that does not exist rejects with the 404', async () => {
    const { grid } = await grids.start();
    await expect(collect(grid.job('job_nope').followStatus())).rejects.toMatchObject({ name: 'HTTPError', status: 404 });
  });
});

describe('task', () => {
  test('reads one task in full: items, attempts, workers, last error', async () => {
    const real = await grids.start();
    await grids.addWorker(real);
    const job = await real.grid.submit({ ...spec, code: 'export default (x) => { if (x === 2) throw new Error("two"); return x; }', retry: { maxAttempts: 1, distinctWorkers: 1 } });
    await expect(job.wait()).rejects.toMatchObject({ name: 'JobFailedError', taskIndex: 1 });
    const [worker] = await real.grid.workers();
    expect(await job.task(1)).toMatchObject({ index: 1, state: 'failed', firstItem: 1, itemCount: 1, attempts: 1, failures: 1, error: 'two', workers: [worker?.id] });
    await expect(job.task(3)).rejects.toMatchObject({ status: 404 });
  });
});
