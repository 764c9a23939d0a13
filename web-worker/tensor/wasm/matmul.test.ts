import { beforeAll, describe, expect, it } from 'vitest';
import type { MatmulDims, WasmKernels } from './kernels.js';
import { BUILD_TIMEOUT_MS, firstMismatch, randomArray, TESTED_BUILDS, testKernels } from './test-support.js';

// The oracle: an f64 i-k-j loop over the same f32 inputs, plus Σ|a·b| per output for the
// tolerance. Any f32 summation order is within 2·k·2⁻²⁴·Σ|a·b| of the exact sum
// (the classic γ_k bound), so that is the tolerance; a lost or doubled term is ~Σ|a·b|/k.
function reference(a: Float32Array, b: Float32Array, dims: MatmulDims): { c: Float64Array; magnitude: Float64Array } {
  const { m, k, n, batch = 1 } = dims;
  const c = new Float64Array(batch * m * n);
  const magnitude = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const aOff = dims.broadcastA === true ? 0 : t * m * k;
    const bOff = dims.broadcastB === true ? 0 : t * k * n;
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const av = a[aOff + (dims.transposeA === true ? p * m + i : i * k + p)] as number;
        for (let j = 0; j < n; j++) {
          const bv = b[bOff + (dims.transposeB === true ? j * k + p : p * n + j)] as number;
          const at = (t * m + i) * n + j;
          c[at] = (c[at] as number) + av * bv;
          magnitude[at] = (magnitude[at] as number) + Math.abs(av * bv);
        }
      }
    }
  }
  return { c, magnitude };
}

function check(kernels: WasmKernels, dims: MatmulDims, seed: number): void {
  const { m, k, n, batch = 1 } = dims;
  const a = randomArray(m * k * (dims.broadcastA === true ? 1 : batch), seed);
  const b = randomArray(k * n * (dims.broadcastB === true ? 1 : batch), seed + 1);
  const got = kernels.arrays.matmul(a, b, dims);
  const { c, magnitude } = reference(a, b, dims);
  const bound = 2 * Math.max(k, 1) * 2 ** -24;
  expect(firstMismatch(got, c, (_want, i) => bound * (magnitude[i] as number))).toBeUndefined();
}

describe.each(TESTED_BUILDS)('wasm matmul (%s build)', (build) => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await testKernels(build);
  }, BUILD_TIMEOUT_MS);

  // Micro-tiles 4x8 (simd) and 6x8 (relaxed), blocks KC=256, MC=96, NC=1024: shapes on,
  // just off and across each edge.
  const shapes: [number, number, number][] = [
    [1, 1, 1], [17, 33, 65], [1, 1024, 1], [1024, 1, 1], [1, 1, 1024], [1, 1024, 9], [1024, 7, 1],
    [4, 8, 8], [6, 8, 8], [12, 16, 16], [5, 7, 7], [7, 9, 9], [95, 20, 1023], [96, 256, 1024], [13, 257, 17], [97, 300, 1030], [64, 512, 64],
  ];
  for (const [m, k, n] of shapes) {
    it(`${m}x${k} · ${k}x${n} matches an f64 loop within 2·k·2⁻²⁴·Σ|a·b|`, () => {
      check(kernels, { m, k, n }, m * 31 + k * 7 + n);
    });
  }

  it('reads transposed operands through strides', () => {
    check(kernels, { m: 19, k: 40, n: 23, transposeA: true }, 1);
    check(kernels, { m: 19, k: 40, n: 23, transposeB: true }, 2);
    check(kernels, { m: 300, k: 270, n: 9, transposeA: true, transposeB: true }, 3);
  });

  it('runs batches, with either operand broadcast over them', () => {
    check(kernels, { batch: 3, m: 7, k: 11, n: 13 }, 4);
    check(kernels, { batch: 4, m: 7, k: 11, n: 13, broadcastA: true }, 5);
    check(kernels, { batch: 2, m: 33, k: 5, n: 17, broadcastB: true, transposeB: true }, 6);
  });

  it('gives zeros when k is 0 and an empty result when m or n is 0', () => {
    expect(Array.from(kernels.arrays.matmul(new Float32Array(0), new Float32Array(0), { m: 2, k: 0, n: 3 })))
      .toEqual([0, 0, 0, 0, 0, 0]);
    expect(kernels.arrays.matmul(new Float32Array(0), new Float32Array(12), { m: 0, k: 4, n: 3 })).toHaveLength(0);
    expect(kernels.arrays.matmul(new Float32Array(8), new Float32Array(0), { m: 2, k: 4, n: 0 })).toHaveLength(0);
  });

  it('overwrites whatever the output buffer held', () => {
    const a = kernels.alloc(6 * 300);
    const b = kernels.alloc(300 * 10);
    const out = kernels.alloc(60);
    kernels.write(a, randomArray(6 * 300, 7));
    kernels.write(b, randomArray(300 * 10, 8));
    kernels.write(out, new Float32Array(60).fill(Number.NaN));
    kernels.matmul(a, b, out, { m: 6, k: 300, n: 10 });
    const first = kernels.read(out);
    kernels.matmul(a, b, out, { m: 6, k: 300, n: 10 });
    expect(first.every(Number.isFinite)).toBe(true);
    expect(kernels.read(out)).toEqual(first);
    [a, b, out].forEach((buffer) => kernels.free(buffer));
  });

  it('propagates NaN and Infinity like the loop does', () => {
    const a = Float32Array.of(1, Number.NaN, 2, 3);
    const b = Float32Array.of(1, 2, 3, Number.POSITIVE_INFINITY);
    const got = kernels.arrays.matmul(a, b, { m: 2, k: 2, n: 2 });
    expect(Array.from(got)).toEqual([Number.NaN, Number.NaN, 11, Number.POSITIVE_INFINITY]);
  });
});
