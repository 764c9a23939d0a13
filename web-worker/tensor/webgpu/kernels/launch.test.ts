import { describe, expect, it } from 'vitest';
import { binaryLaunch, unaryLaunch } from './elementwise.js';
import { gridFor, packUniforms } from './launch.js';
import { directMatmulLaunch, directVec4Applies } from './matmul-direct.js';
import { tiledMatmulLaunch } from './matmul-tiled.js';

// Launch arithmetic and kernel selection; the kernels themselves run in e2e/tensor.spec.ts.

const matmul = { batch: 1, m: 1024, k: 1024, n: 1024, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false };

describe('kernel launches', () => {
  it('spreads large grids over two dimensions', () => {
    expect(gridFor(0)).toEqual([1, 0, 1]);
    expect(gridFor(100)).toEqual([100, 1, 1]);
    expect(gridFor(100_000)).toEqual([65_535, 2, 1]);
  });

  it('pads uniforms to 16 bytes', () => {
    expect(Array.from(packUniforms([3, 4, 5]))).toEqual([3, 4, 5, 0]);
    expect(packUniforms([1, 2, 3, 4, 5]).length).toBe(8);
  });

  it('takes the vec4 direct matmul only for row-major operands with whole vec4 rows', () => {
    expect(directVec4Applies(matmul)).toBe(true);
    expect(directVec4Applies({ ...matmul, k: 33 })).toBe(false);
    expect(directVec4Applies({ ...matmul, transposeB: true })).toBe(false);
    expect(directMatmulLaunch(matmul)).toMatchObject({ key: 'matmul:direct:vec4', workgroups: [8, 8, 1] });
    expect(directMatmulLaunch({ ...matmul, m: 17, k: 33, n: 65, batch: 3 })).toMatchObject({ key: 'matmul:direct:scalar:NN', workgroups: [2, 1, 3] });
    expect(tiledMatmulLaunch({ ...matmul, transposeA: true })).toMatchObject({ key: 'matmul:tiled:TN', workgroups: [16, 16, 1] });
  });

  it('bakes rank and op into keys, so pipelines are shared by every call of a variant', () => {
    expect(unaryLaunch('gelu', 10)).toMatchObject({ key: 'unary:gelu', workgroups: [1, 1, 1] });
    const broadcast = binaryLaunch('add', { outShape: [4, 2, 3], aStrides: [3, 0, 1], bStrides: [0, 1, 0] });
    expect(broadcast.key).toBe('binary:add:rank3');
    const same = binaryLaunch('mul', { outShape: [4, 1, 3], aStrides: [3, 3, 1], bStrides: [3, 0, 1] });
    expect(same.key).toBe('binary:mul:same');
  });
});
