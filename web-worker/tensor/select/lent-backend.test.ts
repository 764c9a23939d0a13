import { describe, expect, it } from 'vitest';
import { TensorCore, createCpuBackend } from '../../../shared/tensor/index.js';
import { lendBackend } from './lent-backend.js';

describe('lendBackend', () => {
  it('frees what a task left alive when its core is destroyed, and leaves the backend working', async () => {
    const shared = createCpuBackend();
    const task = new TensorCore(lendBackend(shared));
    const x = task.tensor([1, -2, 3], [3]);
    task.relu(x);
    const { dLogits } = task.softmaxCrossEntropy(task.tensor([0, 0], [1, 2]), [1]);
    dLogits.dispose();
    expect(shared.liveStorageCount).toBe(4);
    task.destroy();
    expect(shared.liveStorageCount).toBe(0);
    expect(() => task.tensor([1])).toThrow(/view of the backend was destroyed/);
    const next = new TensorCore(lendBackend(shared));
    expect(Array.from(await next.relu(next.tensor([-1, 2])).data())).toEqual([0, 2]);
  });

  it('keeps tasks apart: a tensor of one task is refused by another', () => {
    const shared = createCpuBackend();
    const first = new TensorCore(lendBackend(shared));
    const second = new TensorCore(lendBackend(shared));
    expect(() => second.relu(first.tensor([1]))).toThrow(/belongs to another tensor core/);
  });
});
