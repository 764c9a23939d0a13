import { describe, expect, it } from 'vitest';
import { isOutOfMemoryError } from '../../../shared/tensor/index.js';
import { isWebGpuError } from '../errors.js';
import { errorForFailure } from './failures.js';
import { CommandRecorder } from './recorder.js';

// The real recorder runs in Chromium in e2e/tensor.spec.ts; this fake device only lets the
// tests make a batch fail, which a real software GPU cannot be made to do on demand.

type ScopeFilter = 'out-of-memory' | 'validation';

function fakeDevice(errors: Partial<Record<ScopeFilter, { message: string }>>) {
  const scopes: ScopeFilter[] = [];
  const calls: string[] = [];
  const pass = { setPipeline: () => {}, setBindGroup: () => {}, dispatchWorkgroups: () => calls.push('dispatch'), end: () => calls.push('end pass') };
  const device = {
    pushErrorScope: (filter: ScopeFilter) => scopes.push(filter),
    popErrorScope: () => Promise.resolve(errors[scopes.pop()!] ?? null),
    createCommandEncoder: () => ({ beginComputePass: () => pass, copyBufferToBuffer: () => calls.push('copy'), finish: () => ({}) }),
    queue: { submit: () => calls.push('submit') },
  };
  return { device: device as unknown as GPUDevice, calls, scopes };
}

const pipeline = {} as GPUComputePipeline;
const bindGroup = {} as GPUBindGroup;

describe('CommandRecorder', () => {
  it('records dispatches into one submit and closes both error scopes', async () => {
    const { device, calls, scopes } = fakeDevice({});
    let submitted = 0;
    const recorder = new CommandRecorder(device, 32, () => submitted++);
    recorder.dispatch(pipeline, bindGroup, [1, 1, 1]);
    recorder.dispatch(pipeline, bindGroup, [1, 1, 1]);
    recorder.copy({} as GPUBuffer, {} as GPUBuffer, 16);
    recorder.flush();
    expect(calls).toEqual(['dispatch', 'dispatch', 'end pass', 'copy', 'submit']);
    expect(submitted).toBe(1);
    expect(scopes).toEqual([]);
    expect(await recorder.checkErrors()).toBeUndefined();
  });

  it('submits on its own once enough dispatches are queued', () => {
    const { device, calls } = fakeDevice({});
    const recorder = new CommandRecorder(device, 2, () => {});
    for (let i = 0; i < 5; i++) recorder.dispatch(pipeline, bindGroup, [1, 1, 1]);
    expect(calls.filter((call) => call === 'submit')).toHaveLength(2);
    expect(recorder.submits).toBe(2);
  });

  it('reports an out-of-memory batch first, as OutOfMemoryError with the GPU error as cause', async () => {
    const { device } = fakeDevice({ 'out-of-memory': { message: 'no room' }, validation: { message: 'invalid buffer' } });
    const recorder = new CommandRecorder(device, 32, () => {});
    recorder.dispatch(pipeline, bindGroup, [1, 1, 1]);
    recorder.flush();
    const failure = await recorder.checkErrors();
    expect(failure?.kind).toBe('out-of-memory');
    const error = errorForFailure(failure!);
    expect(isOutOfMemoryError(error)).toBe(true);
    expect(error.message).toBe('webgpu: out of GPU memory: no room');
    expect(error.cause).toEqual({ message: 'no room' });
  });

  it('reports validation errors as WebGpuError', async () => {
    const { device } = fakeDevice({ validation: { message: 'bad binding' } });
    const recorder = new CommandRecorder(device, 32, () => {});
    recorder.dispatch(pipeline, bindGroup, [1, 1, 1]);
    recorder.flush();
    expect(isWebGpuError(errorForFailure((await recorder.checkErrors())!))).toBe(true);
    expect(await recorder.checkErrors()).toBeUndefined();
  });
});
