import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { startCoordinator } from '../coordinator/index.js';
import type { Coordinator, CoordinatorOptions } from '../coordinator/index.js';
import type { JobEvent } from '../shared/index.js';
import { Tabgrid } from './client.js';
import { isJobRejectedError } from './errors.js';

// The SDK against a real coordinator on a real port, driven without test-support.ts: the SSE
// streams, pause/resume, idempotency and rejections, as a user's program would meet them.

const running: { coordinator: Coordinator; dir: string }[] = [];

afterEach(async () => {
  for (const { coordinator, dir } of running.splice(0)) {
    await coordinator.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function realGrid(options: Partial<CoordinatorOptions> = {}): Promise<Tabgrid> {
  const dir = await mkdtemp(join(tmpdir(), 'tabgrid-sdk-'));
  const coordinator = await startCoordinator({ dataDir: dir, port: 0, ...options });
  running.push({ coordinator, dir });
  return new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 20 });
}

const spec = { name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2, 3] } };

describe('SDK against a real coordinator', () => {
  test('followEvents yields SUBMITTED and PENDING, then CANCELLED after a cancel, and ends', async () => {
    const grid = await realGrid();
    const job = await grid.submit(spec);
    const seen: JobEvent[] = [];
    const events = job.followEvents();
    for await (const event of events) {
      seen.push(event);
      if (event.to === 'PENDING') break;
    }
    expect(seen.map((event) => [event.from, event.to])).toEqual([
      [null, 'SUBMITTED'],
      ['SUBMITTED', 'PENDING'],
    ]);

    const following = (async () => {
      const rest: JobEvent[] = [];
      for await (const event of job.followEvents()) rest.push(event);
      return rest;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await job.cancel();
    const all = await following;
    expect(all.map((event) => event.to)).toEqual(['SUBMITTED', 'PENDING', 'CANCELLED']);
    expect(all[2]).toMatchObject({ from: 'PENDING', reason: expect.any(String) as string });
    expect((await job.events()).map((event) => event.to)).toEqual(['SUBMITTED', 'PENDING', 'CANCELLED']);
  });

  test('followLogs of a job ends when the job is cancelled', async () => {
    const grid = await realGrid();
    const job = await grid.submit(spec);
    const following = (async () => {
      const lines: string[] = [];
      for await (const entry of job.followLogs()) lines.push(entry.message);
      return lines;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await job.cancel();
    expect(Array.isArray(await following)).toBe(true);
  });

  test('pause, resume, waiting reason, run mode, and result before completion', async () => {
    const grid = await realGrid();
    const job = await grid.submit({ ...spec, runMode: 'paused', reduce: 'export default (o) => o.length' });
    expect(await job.status()).toMatchObject({ state: 'PAUSED', runMode: 'paused', waitingReason: expect.stringMatching(/^paused/) as string });
    const resumed = await job.resume();
    expect(resumed.state).toBe('PENDING');
    expect(resumed.waitingReason).toMatch(/no workers connected/);
    expect((await job.pause()).state).toBe('PAUSED');
    await expect(job.result()).rejects.toMatchObject({ name: 'HTTPError', status: 409 });
    await job.cancel();
    await expect(job.resume()).rejects.toMatchObject({ name: 'HTTPError', status: 409 });
  });

  test('an idempotent resubmit returns the existing job; a full queue rejects with JobRejectedError', async () => {
    const grid = await realGrid({ maxQueuedJobs: 1 });
    const first = await grid.submit({ ...spec, idempotencyKey: 'once' });
    const again = await grid.submit({ ...spec, idempotencyKey: 'once' });
    expect([again.id, again.existing, first.existing]).toEqual([first.id, true, false]);
    const error: unknown = await grid.submit(spec).catch((caught: unknown) => caught);
    expect(isJobRejectedError(error)).toBe(true);
    if (!isJobRejectedError(error)) return;
    expect(error.status).toBe(429);
    expect(await grid.job(error.jobId).status()).toMatchObject({ state: 'REJECTED', error: { message: error.reason } });
  });
});
