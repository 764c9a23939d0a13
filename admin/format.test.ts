import { describe, expect, it } from 'vitest';
import type { JobStatus, WorkerStatus } from '../shared/index.js';
import { backendFigures, counted, describeGpu, describeProgress, formatDuration, jobDuration, ProgressRate } from './format.js';

function worker(overrides: Partial<WorkerStatus> = {}): WorkerStatus {
  return {
    id: 'w1',
    connected: true,
    capabilities: { runtime: 'browser', webgpu: null, userAgent: 'test' },
    joinedAt: '2025-01-01T00:00:00.000Z',
    tasksDone: 0,
    currentTasks: [],
    ...overrides,
  };
}

function job(overrides: Partial<JobStatus> = {}): JobStatus {
  return {
    id: 'j1',
    name: 'doubles',
    state: 'RUNNING',
    priority: 0,
    progress: { total: 4, done: 1, failed: 0, running: 2 },
    items: 20,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    runMode: 'immediate',
    reduce: false,
    ...overrides,
  };
}

describe('describeGpu', () => {
  it('says "no WebGPU" for a worker without an adapter', () => {
    expect(describeGpu(worker())).toBe('no WebGPU');
  });

  it('names the vendor and architecture', () => {
    const gpu = { vendor: 'google', architecture: 'swiftshader' };
    expect(describeGpu(worker({ capabilities: { runtime: 'browser', webgpu: gpu, userAgent: 'x' } }))).toBe(
      'google swiftshader',
    );
  });

  it('leaves out empty words', () => {
    const gpu = { vendor: '', architecture: 'swiftshader' };
    expect(describeGpu(worker({ capabilities: { runtime: 'browser', webgpu: gpu, userAgent: 'x' } }))).toBe(
      'swiftshader',
    );
  });
});

describe('backendFigures', () => {
  it("gives each measured backend's best GFLOPS, fastest first; none before it measured", () => {
    const tensor = {
      chosen: { backend: 'wasm' as const },
      figures: [
        { backend: 'webgpu' as const, size: 128, gflops: 2 },
        { backend: 'webgpu' as const, size: 256, gflops: 9.06 },
        { backend: 'wasm' as const, size: 256, gflops: 45.2 },
      ],
    };
    expect(backendFigures(worker({ capabilities: { runtime: 'browser', webgpu: null, userAgent: 'x', tensor } }))).toEqual([
      { backend: 'wasm', gflops: 45.2 },
      { backend: 'webgpu', gflops: 9.06 },
    ]);
    expect(backendFigures(worker())).toEqual([]);
  });
});

describe('describeProgress', () => {
  it('shows done/total', () => {
    expect(describeProgress(job())).toBe('1/4');
  });

  it('adds failures when there are some', () => {
    expect(describeProgress(job({ progress: { total: 4, done: 1, failed: 2, running: 0 } }))).toBe('1/4 (2 failed)');
  });
});

describe('formatDuration', () => {
  it('says a duration in the largest units that matter', () => {
    expect(formatDuration(450)).toBe('450 ms');
    expect(formatDuration(59_400)).toBe('59 s');
    expect(formatDuration(95_000)).toBe('1 min 35 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('ProgressRate', () => {
  it('measures tasks per second over the window and the time left at that rate', () => {
    const rate = new ProgressRate(60_000);
    rate.see(0, 0);
    expect(rate.perSecond()).toBeUndefined();
    rate.see(10, 5_000);
    expect(rate.perSecond()).toBe(2);
    expect(rate.timeLeftMs(30)).toBe(10_000);
    // Old sightings fall out of the window; a count that goes back (a retry) starts over.
    rate.see(130, 65_000);
    expect(rate.perSecond()).toBe(2);
    rate.see(5, 66_000);
    expect(rate.perSecond()).toBeUndefined();
  });

  it('gives no time left when nothing moves', () => {
    const rate = new ProgressRate();
    rate.see(3, 0);
    rate.see(3, 10_000);
    expect(rate.timeLeftMs(10)).toBeUndefined();
  });
});

describe('jobDuration and counted', () => {
  it('a job runs from its start to its end, or to now', () => {
    const job = { createdAt: '2026-12-06T10:00:00Z', startedAt: '2026-12-06T10:00:05Z' };
    expect(jobDuration(job, Date.parse('2026-12-06T10:01:05Z'))).toBe(60_000);
    expect(jobDuration({ ...job, endedAt: '2026-12-06T10:00:15Z' })).toBe(10_000);
    expect(jobDuration({ createdAt: job.createdAt })).toBeUndefined();
    expect([counted(1, 'attempt'), counted(3, 'attempt')]).toEqual(['1 attempt', '3 attempts']);
  });
});
