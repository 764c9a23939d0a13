import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ItemResult, JobPage, JobStatus, TaskPage } from '../../shared/index.js';
import type { Store } from '../store/index.js';
import { appCaller, asker, DOUBLE_CODE, expectError, makeSpec, openParts, readBody, readNdjson, testApp, type Caller, type Parts } from '../test-helpers.js';

// A status read costs what it answers, not what the job holds: an ended job's status and the
// list read the job's row (its counts kept with it), never its tasks or its spec.

let parts: Parts;
let calls: string[];
let call: Caller;

/** The store, recording which of its methods are called. */
function recording(store: Store): Store {
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(name));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

beforeEach(async () => {
  parts = await openParts();
  calls = [];
  call = appCaller(testApp(parts, '/nonexistent', { store: recording(parts.store) }));
});

afterEach(async () => {
  await parts.close();
});

describe('job reads', () => {
  it("an ended 100,000-task job's status and the job list read its row only: no task, no spec", async () => {
    const record = await parts.scheduler.submit(makeSpec({ items: Array.from({ length: 100_000 }, (_, n) => n), code: DOUBLE_CODE }), 'c'.repeat(64));
    await parts.scheduler.cancel(record.id);
    calls = [];
    const status = await readBody(await call('GET', `/api/v1/jobs/${record.id}`), JobStatus);
    expect(status).toMatchObject({ state: 'CANCELLED', progress: { total: 100_000, done: 0, failed: 0, running: 0 }, runMode: 'immediate' });
    expect((await (await call('GET', '/api/v1/jobs')).json()) as unknown).toMatchObject({ jobs: [{ id: record.id, progress: { total: 100_000 } }] });
    expect(calls).toEqual(['getJobSummary', 'listJobSummaries']);
  });

  it('pages the job list with a cursor, oldest first, filtered by state and name', async () => {
    const ids: string[] = [];
    for (const name of ['alpha', 'beta', 'Alphabet', 'gamma', 'alpha-2']) ids.push((await parts.scheduler.submit(makeSpec({ name }), 'c'.repeat(64))).id);
    await parts.scheduler.cancel(ids[1]!);
    const page = async (query: string) => readBody(await call('GET', `/api/v1/jobs?${query}`), JobPage);

    const first = await page('limit=2');
    expect(first.jobs.map((job) => job.id)).toEqual(ids.slice(0, 2));
    const second = await page(`limit=2&cursor=${first.nextCursor!}`);
    expect(second.jobs.map((job) => job.id)).toEqual(ids.slice(2, 4));
    const last = await page(`limit=2&cursor=${second.nextCursor!}`);
    expect(last).toEqual({ jobs: [expect.objectContaining({ id: ids[4] })] });

    expect((await page('name=ALPHA')).jobs.map((job) => job.name)).toEqual(['alpha', 'Alphabet', 'alpha-2']);
    expect((await page('state=CANCELLED')).jobs.map((job) => job.id)).toEqual([ids[1]]);
    expect((await page('state=PENDING,CANCELLED&name=a')).jobs).toHaveLength(5);

    for (const bad of ['limit=0', 'limit=1001', 'cursor=abc', 'state=DONE', 'sort=name']) {
      expect((await expectError(await call('GET', `/api/v1/jobs?${bad}`), 400, 'invalid_query')).detail).toMatch(/^invalid query: /);
    }
  });

  it('pages the job list newest first, or by priority (highest first, then oldest), each page after the last one', async () => {
    const ids: string[] = [];
    for (const [name, priority] of [['a', 0], ['b', 9], ['c', 0], ['d', 9], ['e', -2]] as const) {
      ids.push((await parts.scheduler.submit({ ...makeSpec({ name }), priority }, 'c'.repeat(64))).id);
    }
    const names = async (query: string): Promise<{ names: string[]; next: string | undefined }> => {
      const page = await readBody(await call('GET', `/api/v1/jobs?${query}`), JobPage);
      return { names: page.jobs.map((job) => job.name), next: page.nextCursor };
    };
    const newest = await names('order=newest&limit=3');
    expect(newest.names).toEqual(['e', 'd', 'c']);
    expect((await names(`order=newest&limit=3&cursor=${newest.next!}`)).names).toEqual(['b', 'a']);
    const byPriority = await names('order=priority&limit=2');
    expect(byPriority.names).toEqual(['b', 'd']);
    expect(byPriority.next).toMatch(/^9:\d+$/);
    const next = await names(`order=priority&limit=2&cursor=${byPriority.next!}`);
    expect(next.names).toEqual(['a', 'c']);
    expect(next.next).toMatch(/^0:\d+$/);
    expect((await names(`order=priority&limit=2&cursor=${next.next!}`)).names).toEqual(['e']);
    for (const bad of ['order=name', 'order=priority&cursor=x:1', 'cursor=12345:1']) {
      await expectError(await call('GET', `/api/v1/jobs?${bad}`), 400, 'invalid_query');
    }
  });

  it("pages a job's tasks by index, filtered by state, read from the store", async () => {
    const record = await parts.scheduler.submit(makeSpec({ items: [1, 2, 3, 4, 5], code: DOUBLE_CODE }), 'c'.repeat(64));
    const lease = (await parts.scheduler.leaseNext(asker('w_1')))!;
    await parts.scheduler.fail('w_1', lease.leaseId, { message: 'boom' });
    const page = async (query: string) => readBody(await call('GET', `/api/v1/jobs/${record.id}/tasks?${query}`), TaskPage);

    const first = await page('limit=2');
    expect(first.tasks.map((task) => task.index)).toEqual([0, 1]);
    expect(first.tasks[0]).toMatchObject({ state: 'ready', attempts: 1, failures: 1, error: 'boom' });
    const second = await page(`limit=2&cursor=${first.nextCursor!}`);
    expect(second.tasks.map((task) => task.index)).toEqual([2, 3]);
    expect(await page(`limit=2&cursor=${second.nextCursor!}`)).toEqual({ tasks: [expect.objectContaining({ index: 4 })] });
    expect((await page('state=ready&limit=10')).tasks).toHaveLength(5);
    expect((await page('state=leased,done')).tasks).toEqual([]);

    for (const bad of ['limit=0', 'limit=10001', 'cursor=-1', 'state=DONE', 'sort=index']) {
      expect((await expectError(await call('GET', `/api/v1/jobs/${record.id}/tasks?${bad}`), 400, 'invalid_query')).detail).toMatch(/^invalid query: /);
    }
  });

  it('keeps the done and failed counts with a job when it ends', async () => {
    const record = await parts.scheduler.submit(makeSpec({ items: [1, 2, 3], validation: { replicas: 2, quorum: 2 } }), 'c'.repeat(64));
    await parts.scheduler.cancel(record.id);
    expect(await parts.store.getJobSummary(record.id)).toMatchObject({
      state: 'CANCELLED',
      finalCounts: { done: 0, failed: 0 },
      validation: { replicas: 2, quorum: 2, adaptive: true, maxReplicas: 4 },
    });
  });

  it("streams a job's results from the store a page of tasks at a time, and reads only the reduce task for /result", async () => {
    const record = await parts.scheduler.submit({ ...makeSpec({ items: Array.from({ length: 600 }, (_, n) => n) }), reduce: { blob: 'r'.repeat(64) } }, 'c'.repeat(64));
    for (;;) {
      const lease = await parts.scheduler.leaseNext(asker('w_1'));
      if (!lease) break;
      const outputs = lease.input.kind === 'items' ? lease.input.items.map((item) => (item as number) * 2) : [600];
      expect(await parts.scheduler.complete('w_1', lease.leaseId, outputs)).toBe('accepted');
    }
    calls = [];
    const results = await readNdjson(await call('GET', `/api/v1/jobs/${record.id}/results`), ItemResult);
    expect(results).toEqual(Array.from({ length: 600 }, (_, n) => ({ index: n, output: n * 2 })));
    // 600 item tasks and the reduce task: three pages of 256, no spec read.
    expect(calls).toEqual(['getJobSummary', 'listOutputs', 'listOutputs', 'listOutputs']);
    calls = [];
    expect(await readBody(await call('GET', `/api/v1/jobs/${record.id}/result`), z.object({ result: z.number() }))).toEqual({ result: 600 });
    expect(calls).toEqual(['getJobSummary', 'listOutputs']);
  });
});
