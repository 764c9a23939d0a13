import { describe, expect, it } from 'vitest';
import type { WorkerStatus } from './api.js';
import { backendFigures, counted, describeGpu, describeItems, describeProgress, formatDuration, ProgressRate, truncate } from './describe.js';

function worker(capabilities: Partial<WorkerStatus['capabilities']> = {}): WorkerStatus {
  return {
    id: 'w1',
    connected: true,
    capabilities: { runtime: 'browser', webgpu: null, userAgent: 'test', ...capabilities },
    joinedAt: '2025-01-01T00:00:00.000Z',
    tasksDone: 0,
    currentTasks: [],
  };
}

describe('describeGpu', () => {
  it('says "no WebGPU" for a worker without an adapter', () => {
    expect(describeGpu(worker())).toBe('no WebGPU');
  });

  it('names the vendor and architecture', () => {
    const gpu = { vendor: 'google', architecture: 'swiftshader' };
    expect(describeGpu(worker({ webgpu: gpu }))).toBe('google swiftshader');
  });

  it('leaves out empty words', () => {
    const gpu = { vendor: '', architecture: 'swiftshader' };
    expect(describeGpu(worker({ webgpu: gpu }))).toBe('swiftshader');
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
    expect(backendFigures(worker({ tensor }))).toEqual([
      { backend: 'wasm', gflops: 45.2 },
      { backend: 'webgpu', gflops: 9.06 },
    ]);
    expect(backendFigures(worker())).toEqual([]);
  });
});

describe('describeProgress', () => {
  it('shows done/total map tasks, failures when there are some, and the reduce step apart', () => {
    expect(describeProgress({ total: 4, done: 1, failed: 0, running: 2 })).toBe('1/4');
    expect(describeProgress({ total: 4, done: 1, failed: 2, running: 0 })).toBe('1/4 (2 failed)');
    expect(describeProgress({ total: 4, done: 4, failed: 0, running: 0, reduce: 'running' })).toBe('4/4, reduce step running');
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

describe('counted, describeItems and truncate', () => {
  it('say a count, a task’s items and a long text in brief', () => {
    expect([counted(1, 'attempt'), counted(3, 'attempt'), counted(0, 'task')]).toEqual(['1 attempt', '3 attempts', '0 tasks']);
    expect([describeItems(2, 1), describeItems(0, 10)]).toEqual(['item 2', 'items 0–9']);
    expect([truncate('abcdef', 4), truncate('abc', 4)]).toEqual(['abc…', 'abc']);
  });
});
