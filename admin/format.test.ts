import { describe, expect, it } from 'vitest';
import type { JobStatus, WorkerStatus } from '../shared/index.js';
import { canCancel, describeAdapter, describeCurrentTask, describeProgress, describeTensor } from './format.js';

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

describe('describeAdapter', () => {
  it('says "no WebGPU" for a worker without an adapter', () => {
    expect(describeAdapter(worker())).toBe('no WebGPU');
  });

  it('names the vendor and architecture', () => {
    const gpu = { vendor: 'google', architecture: 'swiftshader' };
    expect(describeAdapter(worker({ capabilities: { runtime: 'browser', webgpu: gpu, userAgent: 'x' } }))).toBe(
      'google swiftshader',
    );
  });

  it('leaves out empty words', () => {
    const gpu = { vendor: '', architecture: 'swiftshader' };
    expect(describeAdapter(worker({ capabilities: { runtime: 'browser', webgpu: gpu, userAgent: 'x' } }))).toBe(
      'swiftshader',
    );
  });
});

describe('describeTensor', () => {
  const gpu = { vendor: 'google', architecture: 'swiftshader' };
  const tensor = {
    chosen: { backend: 'wasm' },
    figures: [
      { backend: 'webgpu', size: 128, gflops: 2 },
      { backend: 'webgpu', size: 256, gflops: 9.06 },
      { backend: 'wasm', size: 256, gflops: 45.2 },
    ],
  };

  it('is empty until the worker reported its tensor backends', () => {
    expect(describeTensor(worker())).toBe('');
  });

  it('names the backend used and the figures at the largest size, fastest first', () => {
    const measured = worker({ capabilities: { runtime: 'browser', webgpu: gpu, userAgent: 'x', tensor } });
    expect(describeTensor(measured)).toBe('tensor: wasm (wasm 45, webgpu 9.1 GFLOPS)');
    expect(describeAdapter(measured)).toBe('google swiftshader · tensor: wasm (wasm 45, webgpu 9.1 GFLOPS)');
  });

  it('names the backend alone when nothing was measured (a Node worker)', () => {
    const node = worker({ capabilities: { runtime: 'node', webgpu: null, userAgent: 'x', tensor: { chosen: { backend: 'cpu' }, figures: [] } } });
    expect(describeAdapter(node)).toBe('no WebGPU · tensor: cpu');
  });
});

describe('describeCurrentTask', () => {
  it('says idle when the worker holds no lease', () => {
    expect(describeCurrentTask(worker())).toBe('idle');
  });

  it('lists jobId/taskIndex of each lease', () => {
    const currentTasks = [
      { jobId: 'j1', taskIndex: 3, progress: 0.5 },
      { jobId: 'j2', taskIndex: 0, progress: 0 },
    ];
    expect(describeCurrentTask(worker({ currentTasks }))).toBe('j1/3, j2/0');
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

describe('canCancel', () => {
  it('allows cancelling a job that is not finished', () => {
    expect(canCancel(job({ state: 'PENDING' }))).toBe(true);
    expect(canCancel(job({ state: 'PAUSED' }))).toBe(true);
  });

  it('refuses a job in a final state', () => {
    for (const state of ['COMPLETED', 'FAILED', 'CANCELLED', 'REJECTED'] as const) {
      expect(canCancel(job({ state }))).toBe(false);
    }
  });
});
