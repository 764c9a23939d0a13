import { describe, expect, it } from 'vitest';
import { JobStatus } from '../shared/index.js';
import type { Coordinator } from './server.js';
import { DOUBLE_CODE, expectError, readBody, serverCaller, useRealServers } from './test-helpers.js';

// One small request must not exhaust the coordinator: each of these specs is a few hundred
// bytes, and each once made the coordinator grow by gigabytes or answer 500.

const { start, connectWorker } = useRealServers();

/** Posts a spec; `nested(n)` in it stands for `1` wrapped in n arrays (too deep for JSON.stringify at a million). */
function post(coordinator: Coordinator, spec: unknown): Promise<Response> {
  const text = JSON.stringify(spec).replace(/"nested\((\d+)\)"/g, (_, depth: string) => nested(Number(depth)));
  return serverCaller(coordinator)('POST', '/api/v1/jobs', { body: text, headers: { 'content-type': 'application/json' } });
}

const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

const MiB = 1024 * 1024;

describe('spec limits on a real coordinator', () => {
  it('refuses, naming the limit, specs that would make too many tasks or nest too deep, and stays small', async () => {
    const coordinator = await start();
    const rssBefore = process.memoryUsage().rss;
    const refused = [
      { spec: { input: { range: { start: 0, end: 100_000_000 }, chunkSize: 1 } }, limit: 'maxTasks', path: 'input' },
      { spec: { input: { range: { start: 0, end: 1e15 } } }, limit: 'maxTasks', path: 'input' },
      { spec: { input: { items: Array.from({ length: 100_001 }, () => 0) } }, limit: 'maxTasks', path: 'input' },
      { spec: { input: { items: ['nested(6000)'] } }, limit: 'maxDepth', path: 'input.items.0' },
      { spec: { input: { items: [1] }, requires: 'nested(1000000)' }, limit: 'maxDepth', path: 'requires' },
    ];
    for (const { spec, limit, path } of refused) {
      const error = await expectError(await post(coordinator, { name: 'big', code: DOUBLE_CODE, ...spec }), 413, 'too_large');
      expect(error.detail).toContain(limit);
      expect(error.details).toEqual([expect.objectContaining({ path: expect.stringMatching(new RegExp(`^${path}`)) as unknown })]);
    }
    // Before these limits the first spec alone grew the process past 3.6 GB.
    const grownMiB = (process.memoryUsage().rss - rssBefore) / MiB;
    console.log(`rss grew ${grownMiB.toFixed(0)} MiB over ${refused.length} refused specs`);
    expect(grownMiB).toBeLessThan(512);
    // Nothing was recorded, and the coordinator still takes jobs.
    const jobs = (await (await serverCaller(coordinator)('GET', '/api/v1/jobs')).json()) as unknown;
    expect(jobs).toEqual({ jobs: [] });
  });

  it('answers a range whose indices would not be exact with 400, and one split into few chunks with a job', async () => {
    const coordinator = await start();
    const inexact = await post(coordinator, { name: 'wide', code: DOUBLE_CODE, input: { range: { start: -9e15, end: 9e15 }, chunks: 4 } });
    expect((await expectError(inexact, 400, 'invalid_spec')).detail).toMatch(/end - start must be at most/);
    const wide = await post(coordinator, { name: 'wide', code: DOUBLE_CODE, input: { range: { start: 0, end: 1e15 }, chunks: 4 } });
    expect(wide.status).toBe(201);
    expect((await readBody(wide, JobStatus)).progress.total).toBe(4);
  });

  it('takes a job up to the limits, which are coordinator options', async () => {
    const coordinator = await start({ maxTasks: 10, maxItems: 20, maxDepth: 8 });
    expect((await post(coordinator, { name: 'ok', code: DOUBLE_CODE, input: { items: Array.from({ length: 20 }, (_, n) => n), chunkSize: 2 } })).status).toBe(201);
    const tooMany = await post(coordinator, { name: 'many', code: DOUBLE_CODE, input: { items: Array.from({ length: 11 }, (_, n) => n) } });
    expect((await expectError(tooMany, 413, 'too_large')).detail).toMatch(/makes 11 tasks, over the limit of 10 \(maxTasks\)/);
    const tooLong = await post(coordinator, { name: 'long', code: DOUBLE_CODE, input: { items: Array.from({ length: 21 }, (_, n) => n), chunks: 2 } });
    expect((await expectError(tooLong, 413, 'too_large')).detail).toMatch(/21 items, over the limit of 20 \(maxItems\)/);
    const deep = await post(coordinator, { name: 'deep', code: DOUBLE_CODE, input: { items: ['nested(7)'] } });
    expect((await expectError(deep, 413, 'too_large')).detail).toMatch(/nested more than 8 deep/);
  });

  it('strikes a worker message nested deeper than maxDepth, and keeps serving', async () => {
    const coordinator = await start({ maxDepth: 8 });
    const worker = await connectWorker(coordinator);
    await worker.hello('w_deep');
    worker.send(`{"type":"log","leaseId":"lease_x","level":"info","message":"x","extra":${nested(100_000)}}`);
    expect(await worker.received.waitFor('error')).toMatchObject({ code: 'bad_message', message: expect.stringMatching(/nested more than 8 deep/) as unknown });
    worker.send({ type: 'heartbeat' });
    const next = await connectWorker(coordinator);
    expect(await next.hello('w_next')).toMatchObject({ type: 'welcome' });
  });
});
