import { describe, expect, it } from 'vitest';
import { TensorCore } from './core.js';
import { createCpuBackend } from './cpu/backend.js';
import { checkMatmulGradients, checkMlpGradients, finiteDifferences, toleranceRatio } from './gradient-check.js';

describe('finite differences', () => {
  it('recovers the gradient of a known function', async () => {
    const gradient = await finiteDifferences((v) => Promise.resolve(v[0]! ** 2 + 3 * v[1]!), Float32Array.of(3, 1), 1e-2);
    expect(gradient[0]).toBeCloseTo(6, 3);
    expect(gradient[1]).toBeCloseTo(3, 3);
  });

  it('measures error against a tolerance, treating NaN = NaN', () => {
    const tolerance = { absolute: 1e-5, relative: 1e-4 };
    expect(toleranceRatio([1, Number.NaN], [1, Number.NaN], tolerance)).toBe(0);
    expect(toleranceRatio([1.0001], [1], tolerance)).toBeLessThan(1);
    expect(toleranceRatio([1.001], [1], tolerance)).toBeGreaterThan(1);
    expect(toleranceRatio([Number.NaN], [1], tolerance)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('analytic gradients on the CPU reference match finite differences', () => {
  it('for every parameter of a small MLP, leaking no storage', async () => {
    const backend = createCpuBackend();
    const errors = await checkMlpGradients(new TensorCore(backend), 7);
    expect(Object.keys(errors)).toEqual(['w1', 'b1', 'w2', 'b2']);
    for (const ratio of Object.values(errors)) expect(ratio).toBeLessThanOrEqual(1);
    expect(backend.liveStorageCount).toBe(0);
  });

  it.each([
    [[4, 5], [5, 3]],
    [[3, 4, 5], [3, 5, 2]],
    [[3, 4, 5], [5, 2]],
    [[4, 5], [3, 5, 2]],
    [[2, 2, 3, 4], [4, 2]],
  ])('for matmulBackward of %j x %j', async (aShape, bShape) => {
    const backend = createCpuBackend();
    const errors = await checkMatmulGradients(new TensorCore(backend), aShape, bShape, 3);
    expect(errors.dA).toBeLessThanOrEqual(1);
    expect(errors.dB).toBeLessThanOrEqual(1);
    expect(backend.liveStorageCount).toBe(0);
  });
});
