import { describe, expect, it } from 'vitest';
import { describeIssues } from './errors.js';
import { JobSpec, type JobSpecInput } from './spec.js';

const SHA = 'e'.repeat(64);
const base = { name: 'spec', code: 'export default (x) => x' };

function parse(overrides: Partial<JobSpecInput> & Record<string, unknown>) {
  return JobSpec.safeParse({ ...base, input: { items: [1] }, ...overrides });
}

/** The paths and messages of a refused spec. */
function issues(overrides: Partial<JobSpecInput> & Record<string, unknown>): { path: string; message: string }[] {
  const parsed = parse(overrides);
  if (parsed.success) throw new Error(`expected ${JSON.stringify(overrides)} to be refused`);
  return describeIssues(parsed.error);
}

describe('JobSpec input', () => {
  it('infers the partitioner from the input shape', () => {
    expect(parse({ input: { items: [1, 2], chunkSize: 2 } }).data?.input).toEqual({ partitioner: 'items', items: [1, 2], chunkSize: 2 });
    expect(parse({ input: { range: { start: 0, end: 10 }, chunks: 2 } }).data?.input).toEqual({
      partitioner: 'range',
      range: { start: 0, end: 10, step: 1 },
      chunks: 2,
    });
    expect(parse({ input: { blob: SHA, shardBytes: 10 } }).data?.input).toEqual({ partitioner: 'blob', blob: SHA, shardBytes: 10, separator: '\n' });
    expect(parse({ input: { partitioner: 'items', items: ['x'] } }).data?.input).toEqual({ partitioner: 'items', items: ['x'] });
  });

  it('refuses an input of no known shape, and a partitioner that does not match the shape', () => {
    expect(issues({ input: { things: [1] } })[0]?.message).toMatch(/'items', 'range' or 'blob'/);
    expect(issues({ input: [1, 2] })[0]?.message).toMatch(/'items', 'range' or 'blob'/);
    expect(issues({ input: { partitioner: 'range', items: [1] } }).map((issue) => issue.path)).toContain('input.range');
    expect(issues({ input: { partitioner: 'tiles', items: [1] } })[0]?.path).toBe('input.partitioner');
  });

  it('refuses chunkSize together with chunks, for items and for ranges', () => {
    expect(issues({ input: { items: [1, 2], chunkSize: 1, chunks: 2 } })).toEqual([
      { path: 'input.chunks', message: 'give chunkSize or chunks, not both' },
    ]);
    expect(issues({ input: { range: { start: 0, end: 4 }, chunkSize: 1, chunks: 2 } })[0]?.message).toBe('give chunkSize or chunks, not both');
  });

  it('refuses empty items, zero-sized chunks, and a range that ends before it starts or has a bad step', () => {
    expect(issues({ input: { items: [] } })[0]?.path).toBe('input.items');
    expect(issues({ input: { items: [1], chunks: 0 } })[0]?.path).toBe('input.chunks');
    expect(issues({ input: { range: { start: 5, end: 5 } } })[0]).toEqual({ path: 'input.range.end', message: 'end must be greater than start' });
    expect(issues({ input: { range: { start: 0, end: 5, step: 0 } } })[0]?.path).toBe('input.range.step');
    expect(issues({ input: { range: { start: 0.5, end: 5 } } })[0]?.path).toBe('input.range.start');
  });

  it('needs exactly one of shardBytes and shardRecords for a blob, and a short non-empty separator', () => {
    const neither = issues({ input: { blob: SHA } });
    expect(neither).toEqual([{ path: 'input.shardBytes', message: 'give exactly one of shardBytes or shardRecords' }]);
    expect(issues({ input: { blob: SHA, shardBytes: 4, shardRecords: 2 } })).toEqual(neither);
    expect(parse({ input: { blob: SHA, shardRecords: 2, separator: '\r\n' } }).success).toBe(true);
    expect(issues({ input: { blob: SHA, shardRecords: 2, separator: '' } })[0]?.path).toBe('input.separator');
    expect(issues({ input: { blob: SHA, shardRecords: 2, separator: 'x'.repeat(17) } })[0]?.path).toBe('input.separator');
    expect(issues({ input: { blob: 'not-a-sha', shardBytes: 4 } })[0]?.path).toBe('input.blob');
  });
});

describe('JobSpec policies', () => {
  it('fills in the retry, backoff, priority and run mode defaults', () => {
    const spec = parse({}).data!;
    expect(spec.retry).toEqual({ maxAttempts: 3, maxLapses: 10, backoff: { initialMs: 1000, factor: 2, maxMs: 60_000 }, distinctWorkers: 2 });
    expect(spec.priority).toBe(0);
    expect(spec.runMode).toBe('immediate');
    expect(parse({ retry: { backoff: { initialMs: 0 } } }).data?.retry.backoff).toEqual({ initialMs: 0, factor: 2, maxMs: 60_000 });
  });

  it.each([
    ['initialMs', { initialMs: -1 }],
    ['initialMs', { initialMs: 1.5 }],
    ['initialMs', { initialMs: 3_600_001 }],
    ['factor', { factor: 0.5 }],
    ['factor', { factor: 101 }],
    ['maxMs', { maxMs: -5 }],
    ['maxMs', { maxMs: 86_400_001 }],
    ['(root)', { jitter: true }],
  ])('refuses a bad backoff %s', (field, backoff) => {
    const found = issues({ retry: { backoff } as JobSpecInput['retry'] });
    expect(found[0]?.path).toBe(field === '(root)' ? 'retry.backoff' : `retry.backoff.${field}`);
  });

  it('refuses a bad timeout, and bad requirements', () => {
    expect(issues({ retry: { timeoutMs: 0 } })[0]?.path).toBe('retry.timeoutMs');
    expect(issues({ requires: { runtime: 'deno' } as unknown as JobSpecInput['requires'] })[0]?.path).toBe('requires.runtime');
    expect(issues({ requires: { minCores: 0 } })[0]?.path).toBe('requires.minCores');
  });

  it('takes run modes, dependencies, dependsOn, reduce and an idempotency key', () => {
    const spec = parse({
      input: { items: [1, 2, 3] },
      runMode: 'debug',
      dependencies: [[0, 1], [1, 2]],
      dependsOn: ['job_a'],
      reduce: { blob: SHA },
      idempotencyKey: 'k',
    });
    expect(spec.success).toBe(true);
    expect(issues({ runMode: 'elastic' })[0]?.path).toBe('runMode');
    expect(issues({ dependencies: [[0, -1]] })[0]?.path).toBe('dependencies.0.1');
    expect(issues({ dependencies: [[0, 1, 2]] as unknown as [number, number][] })[0]?.path).toMatch(/^dependencies\.0/);
    expect(issues({ dependsOn: [''] })[0]?.path).toBe('dependsOn.0');
    expect(issues({ reduce: '' })[0]?.path).toBe('reduce');
  });

  it('takes a gang of a fixed size, or min and max with runMode elastic, one item per gang task', () => {
    expect(parse({ input: { items: [1, 2] }, gang: { size: 4 } }).success).toBe(true);
    expect(parse({ input: { items: [1] }, gang: { min: 2, max: 4 }, runMode: 'elastic' }).success).toBe(true);
    expect(issues({ input: { items: [1] }, gang: {} })[0]?.path).toBe('gang.size');
    expect(issues({ input: { items: [1] }, gang: { min: 2, max: 4 } })[0]?.path).toBe('runMode');
    expect(issues({ input: { items: [1] }, gang: { min: 4, max: 2 }, runMode: 'elastic' })[0]?.path).toBe('gang.min');
    expect(issues({ input: { items: [1] }, gang: { size: 2, resultRank: 2 } })[0]?.path).toBe('gang.resultRank');
    expect(issues({ input: { items: [1, 2], chunkSize: 2 }, gang: { size: 2 } })[0]?.path).toBe('input.chunkSize');
  });

  it('gives an elastic gang a rendezvous window of 1 s unless told, from 0 to 10 minutes', () => {
    const elastic = (gang: Record<string, unknown>) => parse({ gang: { min: 2, max: 4, ...gang }, runMode: 'elastic' });
    expect(elastic({}).data?.gang?.rendezvousMs).toBe(1000);
    expect(elastic({ rendezvousMs: 0 }).data?.gang?.rendezvousMs).toBe(0);
    expect(issues({ gang: { min: 2, max: 4, rendezvousMs: 600_001 }, runMode: 'elastic' })[0]?.path).toBe('gang.rendezvousMs');
    expect(issues({ gang: { min: 2, max: 4, rendezvousMs: -1 }, runMode: 'elastic' })[0]?.path).toBe('gang.rendezvousMs');
  });
});
