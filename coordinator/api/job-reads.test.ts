import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStatus } from '../../shared/index.js';
import type { Store } from '../store/index.js';
import { appCaller, DOUBLE_CODE, makeSpec, openParts, readBody, testApp, type Caller, type Parts } from '../test-helpers.js';

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

  it('keeps the done and failed counts with a job when it ends', async () => {
    const record = await parts.scheduler.submit(makeSpec({ items: [1, 2, 3], validation: { replicas: 2, quorum: 2 } }), 'c'.repeat(64));
    await parts.scheduler.cancel(record.id);
    expect(await parts.store.getJobSummary(record.id)).toMatchObject({
      state: 'CANCELLED',
      finalCounts: { done: 0, failed: 0 },
      validation: { replicas: 2, quorum: 2, adaptive: true, maxReplicas: 4 },
    });
  });
});
