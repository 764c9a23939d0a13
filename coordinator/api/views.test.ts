import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../store/index.js';
import { storedProgress } from './views.js';

function summary(changes: Partial<JobSummary>): JobSummary {
  return {
    seq: 1,
    id: 'job_1',
    name: 'sum',
    state: 'COMPLETED',
    priority: 0,
    itemCount: 4,
    taskCount: 3,
    error: null,
    idempotencyKey: null,
    createdAt: 0,
    updatedAt: 0,
    runMode: 'immediate',
    reduce: true,
    ...changes,
  };
}

describe('storedProgress', () => {
  it("counts an ended job's map tasks only, and tells where its reduce step ended from how the job did", () => {
    expect(storedProgress(summary({}), { done: 3 })).toEqual({ total: 2, done: 2, failed: 0, running: 0, reduce: 'done' });
    const reduceFailed = summary({ state: 'FAILED', error: { message: 'boom', taskIndex: 2 } });
    expect(storedProgress(reduceFailed, { done: 2, failed: 1 })).toEqual({ total: 2, done: 2, failed: 0, running: 0, reduce: 'failed' });
    const mapFailed = summary({ state: 'FAILED', error: { message: 'boom', taskIndex: 0 } });
    expect(storedProgress(mapFailed, { done: 1, failed: 1 })).toEqual({ total: 2, done: 1, failed: 1, running: 0, reduce: 'cancelled' });
    expect(storedProgress(summary({ reduce: false }), { done: 3 })).toEqual({ total: 3, done: 3, failed: 0, running: 0 });
  });
});
