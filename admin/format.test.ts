import { describe, expect, it } from 'vitest';
import { jobDuration } from './format.js';

describe('jobDuration', () => {
  it('a job runs from its start to its end, or to now', () => {
    const job = { createdAt: '2026-12-06T10:00:00Z', startedAt: '2026-12-06T10:00:05Z' };
    expect(jobDuration(job, Date.parse('2026-12-06T10:01:05Z'))).toBe(60_000);
    expect(jobDuration({ ...job, endedAt: '2026-12-06T10:00:15Z' })).toBe(10_000);
    expect(jobDuration({ createdAt: job.createdAt })).toBeUndefined();
  });
});
