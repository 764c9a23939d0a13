import { describe, expect, it } from 'vitest';
import { isWasmKernelError } from './errors.js';
import { broadcastLayout, broadcastShapes, mergeDimensions, reduceDims, rowMajorStrides } from './layout.js';

describe('layout helpers', () => {
  it('computes row-major strides', () => {
    expect(rowMajorStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(rowMajorStrides([])).toEqual([]);
  });

  it('broadcasts shapes like NumPy and names the shapes that do not', () => {
    expect(broadcastShapes([3, 1], [4])).toEqual([3, 4]);
    expect(broadcastShapes([], [2, 2])).toEqual([2, 2]);
    expect(broadcastShapes([5, 1, 2], [3, 1])).toEqual([5, 3, 2]);
    expect(broadcastShapes([0, 3], [1])).toEqual([0, 3]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow(/\[2, 3\] and \[4\] do not broadcast/);
  });

  it('merges dimensions where both operands stay contiguous', () => {
    expect(broadcastLayout([2, 3, 4], [2, 3, 4])).toEqual({ shape: [24], aStrides: [1], bStrides: [1] });
    expect(broadcastLayout([2, 3], [3])).toEqual({ shape: [2, 3], aStrides: [3, 1], bStrides: [0, 1] });
    expect(broadcastLayout([4, 5, 6], [1])).toEqual({ shape: [120], aStrides: [1], bStrides: [0] });
    expect(broadcastLayout([2, 1, 3], [2, 5, 3])).toEqual({ shape: [2, 5, 3], aStrides: [3, 0, 1], bStrides: [15, 3, 1] });
    expect(broadcastLayout([], [])).toEqual({ shape: [1], aStrides: [0], bStrides: [0] });
  });

  it('refuses more dimensions than the kernel takes', () => {
    const shape = [2, 2, 2, 2, 2, 2, 2, 2, 2];
    const layout = { shape, aStrides: shape.map((_, d) => (d % 2 === 0 ? 2 ** (8 - d) : 0)), bStrides: rowMajorStrides(shape).map((s, d) => (d % 2 === 1 ? s : 0)) };
    let thrown: unknown;
    try {
      mergeDimensions(layout);
    } catch (error) {
      thrown = error;
    }
    expect(isWasmKernelError(thrown)).toBe(true);
  });

  it('views a shape as [outer, axis, inner] around an axis, negative axes from the end', () => {
    expect(reduceDims([2, 3, 4], 1)).toEqual({ outer: 2, axisLength: 3, inner: 4 });
    expect(reduceDims([2, 3, 4], -1)).toEqual({ outer: 6, axisLength: 4, inner: 1 });
    expect(reduceDims([5], 0)).toEqual({ outer: 1, axisLength: 5, inner: 1 });
    expect(() => reduceDims([2, 3], 2)).toThrow(/axis 2 is outside shape \[2, 3\]/);
  });
});
