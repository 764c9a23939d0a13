import { describe, expect, it } from 'vitest';
import { isShapeError } from './errors.js';
import {
  broadcastShapes,
  broadcastStrides,
  checkShape,
  planAxis,
  planConcat,
  planCrossEntropy,
  planMatmul,
  planPermute,
  planReduce,
  planReshape,
  planSlice,
  stridesOf,
} from './shapes.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isShapeError(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a ShapeError');
}

describe('broadcasting', () => {
  it('aligns shapes at the right and stretches ones', () => {
    expect(broadcastShapes('add', [4, 1, 3], [2, 1])).toEqual([4, 2, 3]);
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [5, 1], [1, 7])).toEqual([5, 7]);
  });

  it('refuses dimensions that differ and are not 1, naming the op and shapes', () => {
    expect(messageOf(() => broadcastShapes('mul', [2, 3], [4, 3]))).toBe('mul: shapes do not broadcast: [2,3] and [4,3]');
  });

  it('gives 0 strides along broadcast axes', () => {
    expect(broadcastStrides([2, 1], [4, 2, 3])).toEqual([0, 1, 0]);
    expect(broadcastStrides([4, 1, 3], [4, 2, 3])).toEqual([3, 0, 1]);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
  });
});

describe('matmul shapes', () => {
  it('plans 2-D, batched and shared-operand products', () => {
    expect(planMatmul([17, 33], [33, 65])).toMatchObject({ batch: 1, m: 17, k: 33, n: 65, outShape: [17, 65] });
    expect(planMatmul([3, 17, 33], [3, 33, 5])).toMatchObject({ batch: 3, aBatchStride: 17 * 33, bBatchStride: 33 * 5, outShape: [3, 17, 5] });
    expect(planMatmul([3, 17, 33], [33, 5])).toMatchObject({ batch: 3, bBatchStride: 0, outShape: [3, 17, 5] });
    expect(planMatmul([17, 33], [2, 3, 33, 5])).toMatchObject({ batch: 6, aBatchStride: 0, outShape: [2, 3, 17, 5] });
    expect(planMatmul([33, 17], [5, 33], { transposeA: true, transposeB: true })).toMatchObject({ m: 17, k: 33, n: 5 });
  });

  it('names the shapes when inner or batch dimensions differ', () => {
    expect(messageOf(() => planMatmul([17, 33], [34, 65]))).toBe('matmul: inner dimensions differ: [17,33] x [34,65]');
    expect(messageOf(() => planMatmul([3, 17, 33], [2, 33, 5]))).toBe('matmul: batch dimensions differ: [3,17,33] x [2,33,5]');
    expect(messageOf(() => planMatmul([33], [33, 5]))).toBe('matmul: operands need rank 2 or more: [33] x [33,5]');
  });
});

describe('shapes', () => {
  it('are lists of non-negative integers, at most eight of them', () => {
    expect(() => checkShape('tensor', [2, 3])).not.toThrow();
    expect(messageOf(() => checkShape('tensor', [2, -1]))).toBe('tensor: a shape is a list of non-negative integers, got [2,-1]');
    expect(messageOf(() => checkShape('reshape', [1, 1, 1, 1, 1, 1, 1, 1, 1]))).toBe('reshape: rank 9 is more than 8: [1,1,1,1,1,1,1,1,1]');
  });
});

describe('axes', () => {
  it('splits a shape around an axis, negative axes from the end', () => {
    expect(planAxis('softmax', [2, 3, 4], -2)).toEqual({ axis: 1, outer: 2, size: 3, inner: 4 });
    expect(messageOf(() => planAxis('softmax', [2, 3], 2))).toBe('softmax: axis 2 is out of range for rank 2');
  });

  it('plans reductions with and without keepDims, and over all axes', () => {
    expect(planReduce('sum', [2, 3, 4], 1, false)).toEqual({ outer: 2, size: 3, inner: 4, outShape: [2, 4] });
    expect(planReduce('sum', [2, 3, 4], 1, true).outShape).toEqual([2, 1, 4]);
    expect(planReduce('mean', [2, 3], undefined, false)).toEqual({ outer: 1, size: 6, inner: 1, outShape: [] });
    expect(messageOf(() => planReduce('max', [2, 0], 1, false))).toBe('max: cannot reduce an empty axis 1 of [2,0]');
  });
});

describe('layout shapes', () => {
  it('permutes, reversing by default', () => {
    expect(planPermute([2, 3])).toEqual({ perm: [1, 0], outShape: [3, 2] });
    expect(planPermute([2, 3, 4], [0, 2, 1]).outShape).toEqual([2, 4, 3]);
    expect(messageOf(() => planPermute([2, 3, 4], [0, 0, 1]))).toBe('transpose: [0,0,1] is not a permutation of the axes of [2,3,4]');
  });

  it('reshapes to the same size, inferring one -1', () => {
    expect(planReshape([4, 6], [2, -1])).toEqual([2, 12]);
    expect(planReshape([4, 6], [24])).toEqual([24]);
    expect(messageOf(() => planReshape([4, 6], [5, 5]))).toBe('reshape: sizes differ (24 vs 25) reshaping [4,6] to [5,5]');
    expect(messageOf(() => planReshape([4, 6], [-1, -1]))).toBe('reshape: only one dimension may be -1: [4,6] to [-1,-1]');
  });

  it('slices inside the bounds only', () => {
    expect(planSlice([4, 5], [1, 2], [2, -1])).toEqual({ begin: [1, 2], outShape: [2, 3] });
    expect(messageOf(() => planSlice([4, 5], [3, 0], [2, 5]))).toBe('slice: out of bounds on axis 0: begin [3,0] size [2,5] of [4,5]');
  });

  it('concatenates shapes that agree off the axis', () => {
    expect(planConcat([[2, 3], [2, 5]], 1)).toEqual({ outer: 2, inner: 1, sizes: [3, 5], outShape: [2, 8] });
    expect(planConcat([[2, 3, 4], [1, 3, 4]], 0)).toEqual({ outer: 1, inner: 12, sizes: [2, 1], outShape: [3, 3, 4] });
    expect(messageOf(() => planConcat([[2, 3], [3, 3]], 1))).toBe('concat: shapes differ off axis 1: [2,3], [3,3]');
  });

  it('reads cross-entropy labels as one-hot or class indices', () => {
    expect(planCrossEntropy([8, 10], [8])).toEqual({ rows: 8, cols: 10, labels: 'index' });
    expect(planCrossEntropy([8, 10], [8, 10])).toEqual({ rows: 8, cols: 10, labels: 'dense' });
    expect(messageOf(() => planCrossEntropy([8, 10], [7]))).toBe(
      'softmaxCrossEntropy: labels must be one-hot [8,10] or class indices [8]: logits [8,10], labels [7]',
    );
  });
});
