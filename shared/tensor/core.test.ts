import { describe, expect, it } from 'vitest';
import { TensorCore } from './core.js';
import { createCpuBackend } from './cpu/backend.js';
import { isBackendMismatchError, isDTypeError, isDisposedTensorError, isShapeError, isTensorTooLargeError } from './errors.js';
import type { Tensor } from './tensor.js';

function makeCore(): { t: TensorCore; backend: ReturnType<typeof createCpuBackend> } {
  const backend = createCpuBackend();
  return { t: new TensorCore(backend), backend };
}

async function valuesOf(tensor: Tensor): Promise<number[]> {
  return Array.from(await tensor.data());
}

describe('TensorCore on the CPU reference: hand-checked values', () => {
  const { t } = makeCore();

  it('multiplies 2-D, batched and shared-operand matrices', async () => {
    const a = t.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const b = t.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
    expect(await valuesOf(t.matmul(a, b))).toEqual([58, 64, 139, 154]);
    expect(await valuesOf(t.matmul(a, a, { transposeB: true }))).toEqual([14, 32, 32, 77]);
    expect(await valuesOf(t.matmul(a, a, { transposeA: true }))).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    const batched = t.tensor([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const shared = t.tensor([1, 2, 3, 4], [2, 2]);
    const product = t.matmul(batched, shared);
    expect(product.shape).toEqual([2, 2, 2]);
    expect(await valuesOf(product)).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
    expect(await valuesOf(t.matmul(shared, batched))).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });

  it('broadcasts elementwise ops like NumPy', async () => {
    const a = t.tensor([1, 2, 3, 4, 5, 6], [2, 1, 3]);
    const b = t.tensor([10, 20], [2, 1]);
    const sum = t.add(a, b);
    expect(sum.shape).toEqual([2, 2, 3]);
    expect(await valuesOf(sum)).toEqual([11, 12, 13, 21, 22, 23, 14, 15, 16, 24, 25, 26]);
    expect(await valuesOf(t.sub(b, 1))).toEqual([9, 19]);
    expect(await valuesOf(t.mul(t.tensor([1, 2, 3]), t.tensor(2)))).toEqual([2, 4, 6]);
    expect(await valuesOf(t.div(t.tensor([1, 2]), t.tensor([4, 8])))).toEqual([0.25, 0.25]);
  });

  it('applies unary ops', async () => {
    const x = t.tensor([-1, 0, 2]);
    expect(await valuesOf(t.relu(x))).toEqual([0, 0, 2]);
    expect(await valuesOf(t.neg(x))).toEqual([1, -0, -2]);
    const [g0, g1, g2] = await valuesOf(t.gelu(x));
    expect(g0).toBeCloseTo(-0.158808, 5);
    expect(g1).toBe(0);
    expect(g2).toBeCloseTo(1.954597, 5);
    expect((await valuesOf(t.sigmoid(x)))[1]).toBe(0.5);
    expect((await valuesOf(t.exp(x)))[2]).toBeCloseTo(Math.E ** 2, 5);
    expect((await valuesOf(t.log(t.tensor([1, Math.E]))))[1]).toBeCloseTo(1, 6);
    expect((await valuesOf(t.tanh(x)))[0]).toBeCloseTo(-0.761594, 5);
  });

  it('reduces along an axis, keeping dims on request', async () => {
    const x = t.tensor([1, 5, 3, 4, 2, 6], [2, 3]);
    expect(await valuesOf(t.sum(x, 0))).toEqual([5, 7, 9]);
    expect(await valuesOf(t.sum(x, 1))).toEqual([9, 12]);
    expect(t.mean(x, -1, { keepDims: true }).shape).toEqual([2, 1]);
    expect(await valuesOf(t.mean(x, 1))).toEqual([3, 4]);
    expect(await valuesOf(t.max(x, 1))).toEqual([5, 6]);
    const total = t.sum(x);
    expect(total.shape).toEqual([]);
    expect(await valuesOf(total)).toEqual([21]);
  });

  it('computes softmax along the last axis or another', async () => {
    const x = t.tensor([0, Math.log(3), 1000, 1000], [2, 2]);
    expect(await valuesOf(t.softmax(x))).toEqual([0.25, 0.75, 0.5, 0.5]);
    const columns = await valuesOf(t.softmax(t.tensor([0, 0, Math.log(3), 0], [2, 2]), 0));
    expect(columns[0]).toBeCloseTo(0.25, 6);
    expect(columns[1]).toBeCloseTo(0.5, 6);
  });

  it('transposes, reshapes, slices and concatenates', async () => {
    const x = t.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(await valuesOf(t.transpose(x))).toEqual([1, 4, 2, 5, 3, 6]);
    const cube = t.tensor([0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2]);
    expect(await valuesOf(t.transpose(cube, [0, 2, 1]))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect(await valuesOf(t.transpose(cube, [2, 0, 1]))).toEqual([0, 2, 4, 6, 1, 3, 5, 7]);
    expect(t.reshape(x, [3, -1]).shape).toEqual([3, 2]);
    expect(await valuesOf(t.slice(x, [0, 1], [-1, 2]))).toEqual([2, 3, 5, 6]);
    expect(await valuesOf(t.concat([x, t.tensor([7, 8], [2, 1])], 1))).toEqual([1, 2, 3, 7, 4, 5, 6, 8]);
    expect(await valuesOf(t.concat([x, t.tensor([7, 8, 9], [1, 3])], 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('computes softmax cross-entropy from class indices or one-hot labels', async () => {
    const logits = t.tensor([0, 0, Math.log(3), 0], [2, 2]);
    const byIndex = t.softmaxCrossEntropy(logits, [1, 0]);
    const expectedLoss = (Math.log(2) + Math.log(4 / 3)) / 2;
    expect((await valuesOf(byIndex.loss))[0]).toBeCloseTo(expectedLoss, 6);
    const gradient = await valuesOf(byIndex.dLogits);
    [0.25, -0.25, -0.125, 0.125].forEach((value, i) => expect(gradient[i]).toBeCloseTo(value, 6));
    const oneHot = t.softmaxCrossEntropy(logits, t.tensor([0, 1, 1, 0], [2, 2]));
    expect((await valuesOf(oneHot.loss))[0]).toBeCloseTo(expectedLoss, 6);
    expect(byIndex.loss.shape).toEqual([]);
  });

  it('masks the relu gradient', async () => {
    expect(await valuesOf(t.reluBackward(t.tensor([-1, 0, 3]), t.tensor([5, 6, 7])))).toEqual([0, 0, 7]);
  });
});

describe('TensorCore checks and lifetimes', () => {
  it('throws named errors for bad shapes, dtypes, sizes and foreign tensors', () => {
    const { t } = makeCore();
    const caught = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const a = t.tensor(new Float32Array(17 * 33), [17, 33]);
    const b = t.tensor(new Float32Array(34 * 65), [34, 65]);
    const shapeError = caught(() => t.matmul(a, b));
    expect(isShapeError(shapeError)).toBe(true);
    expect((shapeError as Error).message).toBe('matmul: inner dimensions differ: [17,33] x [34,65]');
    expect(isShapeError(caught(() => t.tensor([1, 2, 3], [2, 2])))).toBe(true);
    expect(isDTypeError(caught(() => t.tensor([1], [1], 'i32' as 'f32')))).toBe(true);
    const dtypeError = caught(() => t.tensor(Int32Array.of(1, 2) as unknown as Float32Array));
    expect(isDTypeError(dtypeError)).toBe(true);
    expect((dtypeError as Error).message).toContain('Int32Array');
    expect(isTensorTooLargeError(caught(() => t.zeros([2 ** 20, 2 ** 10])))).toBe(true);
    const other = makeCore().t.tensor([1]);
    expect(isBackendMismatchError(caught(() => t.add(t.tensor([1]), other)))).toBe(true);
    expect(isShapeError(caught(() => t.softmaxCrossEntropy(t.zeros([2, 3]), [0, 3])))).toBe(true);
  });

  it('keeps reshaped storage alive until the last view is disposed', async () => {
    const { t, backend } = makeCore();
    const x = t.tensor([1, 2, 3, 4], [2, 2]);
    const flat = t.reshape(x, [4]);
    x.dispose();
    expect(await valuesOf(flat)).toEqual([1, 2, 3, 4]);
    flat.dispose();
    expect(backend.liveStorageCount).toBe(0);
    await expect(flat.data()).rejects.toSatisfy(isDisposedTensorError);
    expect(() => t.relu(flat)).toThrow('relu: tensor [4] was disposed');
  });

  it('disposes what a scope made except what it returns', async () => {
    const { t, backend } = makeCore();
    const w = t.tensor([1, 2, 3, 4], [2, 2]);
    const { next } = t.scope(() => {
      const grad = t.mul(t.add(w, 1), 0.5);
      return { next: t.sub(w, grad) };
    });
    expect(await valuesOf(next)).toEqual([0, 0.5, 1, 1.5]);
    expect(backend.liveStorageCount).toBe(2);
    const inner = t.scope(() => t.scope(() => t.relu(w)));
    expect(backend.liveStorageCount).toBe(3);
    inner.dispose();
    expect(() => t.scope(() => Promise.resolve(t.relu(w)))).toThrow(TypeError);
    expect(backend.liveStorageCount).toBe(2);
  });
});
