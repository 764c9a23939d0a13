import type { TaskContext } from '../../shared/index.js';
import { describe, expect, it } from 'vitest';
import { DeviceLostError, OutOfMemoryError, ShapeError, TensorCore, createCpuBackend, type CpuBackend } from '../../shared/tensor/index.js';
import { createTaskContext } from './task-context.js';
import { cpuTensorProvider, TaskTensors, type LentTensorCore, type TensorProvider } from './task-tensor.js';

/** A provider over CPU backends that counts what it lends and retires, with a loss hook. */
function countingProvider(withDevice: boolean) {
  const backends: CpuBackend[] = [createCpuBackend()];
  const counts = { lent: 0, retired: 0, lossesForced: 0 };
  const provider: TensorProvider = {
    ready: () => Promise.resolve(),
    lend: () => {
      counts.lent++;
      const retire = (): void => {
        counts.retired++;
        backends.push(createCpuBackend());
      };
      const lent: LentTensorCore = { core: new TensorCore(backends[backends.length - 1]!), retire };
      return withDevice ? { ...lent, forceDeviceLoss: () => void counts.lossesForced++ } : lent;
    },
  };
  return { provider, counts, backends };
}

const call = {
  task: { jobId: 'j', jobName: 'job', taskIndex: 0, attempt: 1, leaseId: 'l' },
  restored: undefined,
  predecessors: [],
  log: () => {},
  progress: () => {},
  checkpoint: () => Promise.resolve(true),
};

describe('TaskTensors', () => {
  it('lends nothing to a task that never reads ctx.tensor', () => {
    const { provider, counts } = countingProvider(false);
    const tensors = new TaskTensors(provider);
    const ctx = createTaskContext(call, tensors.extras({ other: 1 }));
    expect((ctx as unknown as { other: number }).other).toBe(1);
    tensors.end();
    expect(counts.lent).toBe(0);
  });

  it('lends one core on first use, the same for every read, and frees its tensors when the task ends', async () => {
    const { provider, counts, backends } = countingProvider(false);
    const tensors = new TaskTensors(provider);
    const ctx: TaskContext = createTaskContext(call, tensors.extras({}));
    const t = ctx.tensor!;
    expect(ctx.tensor).toBe(t);
    const c = t.matmul(t.tensor([1, 2, 3, 4], [2, 2]), t.tensor([1, 0, 0, 1], [2, 2]));
    expect(Array.from(await c.data())).toEqual([1, 2, 3, 4]);
    expect(backends[0]!.liveStorageCount).toBe(3);
    tensors.end();
    expect(backends[0]!.liveStorageCount).toBe(0);
    expect(counts.lent).toBe(1);
  });

  it('offers forceDeviceLoss only where the backend has a device', () => {
    const plain = new TaskTensors(countingProvider(false).provider);
    expect(plain.core.forceDeviceLoss).toBeUndefined();
    const { provider, counts } = countingProvider(true);
    const gpu = new TaskTensors(provider);
    gpu.core.forceDeviceLoss?.();
    expect(counts.lossesForced).toBe(1);
  });

  it.each([
    ['DeviceLostError', new DeviceLostError('webgpu: device lost (destroyed)')],
    ['OutOfMemoryError', new OutOfMemoryError('webgpu: out of GPU memory')],
  ])('a %s fails the task with its name in the message and retires the backend', async (name, error) => {
    const { provider, counts } = countingProvider(true);
    const tensors = new TaskTensors(provider);
    const task = tensors.guard((_input, ctx) => {
      ctx.tensor!.tensor([1]);
      throw error;
    });
    const thrown = await Promise.resolve(task(undefined, createTaskContext(call, tensors.extras({})))).catch((e: unknown) => e as Error);
    expect((thrown as Error).message).toBe(`${name}: ${error.message}`);
    expect((thrown as Error).cause).toBe(error);
    expect(counts.retired).toBe(1);
  });

  it('passes other errors through and keeps the backend', async () => {
    const { provider, counts } = countingProvider(true);
    const tensors = new TaskTensors(provider);
    const task = tensors.guard((_input, ctx) => ctx.tensor!.matmul(ctx.tensor!.tensor([1, 2], [1, 2]), ctx.tensor!.tensor([1, 2], [1, 2])));
    const thrown = await Promise.resolve(task(undefined, createTaskContext(call, tensors.extras({})))).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ShapeError);
    expect(counts.retired).toBe(0);
  });
});

describe('cpuTensorProvider', () => {
  it('lends a fresh CPU core per task', async () => {
    const provider = cpuTensorProvider();
    await provider.ready();
    const first = provider.lend();
    const second = provider.lend();
    expect(first.core.backendName).toBe('cpu');
    expect(first.core).not.toBe(second.core);
    expect(first.forceDeviceLoss).toBeUndefined();
  });
});
