import { beforeAll, describe, expect, it } from 'vitest';
import type { ReduceDims, WasmKernels } from './kernels.js';
import { reduceDims } from './layout.js';
import type { ReduceOp } from './ops.js';
import { BUILD_TIMEOUT_MS, firstMismatch, randomArray, TESTED_BUILDS, testKernels } from './test-support.js';

// The oracle: f64 loops over the [outer, axis, inner] view, with Σ|x| kept for the tolerance.
function reduceReference(op: ReduceOp, x: Float32Array, { outer, axisLength, inner }: ReduceDims): { out: number[]; magnitude: number[] } {
  const out: number[] = [];
  const magnitude: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'max' ? -Infinity : 0;
      let abs = 0;
      for (let a = 0; a < axisLength; a++) {
        const value = x[(o * axisLength + a) * inner + i] as number;
        acc = op === 'max' ? Math.max(acc, value) : acc + value;
        abs += Math.abs(value);
      }
      out.push(op === 'mean' ? acc / axisLength : acc);
      magnitude.push(op === 'mean' ? abs / axisLength : abs);
    }
  }
  return { out, magnitude };
}

function softmaxReference(x: Float32Array, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
    const max = Math.max(...row);
    const exps = row.map((value) => Math.exp(value - max));
    const sum = exps.reduce((total, value) => total + value, 0);
    out.push(...exps.map((value) => value / sum));
  }
  return out;
}

const SHAPES = [[1, 1], [3, 1024], [1024, 1], [17, 33], [17, 33, 65], [2, 5, 3], [4, 1, 7], [1, 1024]];
const OPS: ReduceOp[] = ['sum', 'mean', 'max'];

describe.each(TESTED_BUILDS)('wasm reductions, softmax and transpose (%s build)', (build) => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await testKernels(build);
  }, BUILD_TIMEOUT_MS);

  for (const shape of SHAPES) {
    it(`sum, mean and max of [${shape.join(', ')}] along each axis match f64 loops`, () => {
      const x = randomArray(shape.reduce((n, size) => n * size, 1), shape.length, -2, 2);
      shape.forEach((_, axis) => {
        const dims = reduceDims(shape, axis);
        for (const op of OPS) {
          const { out, magnitude } = reduceReference(op, x, dims);
          // Max is exact; any f32 summation order is within n·2⁻²⁴·Σ|x| of the exact sum (γ_n).
          const bound = op === 'max' ? 0 : Math.max(dims.axisLength, 1) * 2 ** -24;
          const got = kernels.arrays.reduce(op, x, dims);
          expect(firstMismatch(got, out, (_want, i) => bound * (magnitude[i] as number) + 1e-30), `${op} axis ${axis}`).toBeUndefined();
        }
      });
    });
  }

  it('reduces an empty axis to 0, NaN and -Infinity, and lets NaN win a max', () => {
    const empty = { outer: 2, axisLength: 0, inner: 3 };
    expect(Array.from(kernels.arrays.reduce('sum', new Float32Array(0), empty))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(kernels.arrays.reduce('mean', new Float32Array(0), { ...empty, inner: 1 }))).toEqual([NaN, NaN]);
    expect(Array.from(kernels.arrays.reduce('max', new Float32Array(0), empty))).toEqual(new Array(6).fill(-Infinity));
    const withNaN = randomArray(37, 1);
    withNaN[20] = NaN;
    expect(kernels.arrays.reduce('max', withNaN, { outer: 1, axisLength: 37, inner: 1 })[0]).toBeNaN();
    expect(kernels.arrays.reduce('max', withNaN, { outer: 37, axisLength: 1, inner: 1 })[20]).toBeNaN();
  });

  // exp is ~1e-7 relative, the f32 sum and scaling add a few ulp: 1e-6 relative + 1e-12.
  for (const [rows, cols] of [[1, 1], [3, 17], [5, 1024], [1024, 3], [2, 4]] as const) {
    it(`softmax of ${rows}x${cols} rows matches f64 within 1e-6 relative`, () => {
      const x = randomArray(rows * cols, rows + cols, -10, 10);
      const got = kernels.arrays.softmax(x, { rows, cols });
      expect(firstMismatch(got, softmaxReference(x, rows, cols), (want) => 1e-6 * want + 1e-12)).toBeUndefined();
    });
  }

  // Differences from the max down to -120 cross the point (ln 2^-126) below which exp flushes to 0.
  it('softmax keeps that tolerance when the logits span more than exp can represent', () => {
    const [rows, cols] = [9, 37];
    const x = randomArray(rows * cols, 7, -60, 60);
    const got = kernels.arrays.softmax(x, { rows, cols });
    expect(firstMismatch(got, softmaxReference(x, rows, cols), (want) => 1e-6 * want + 1e-12)).toBeUndefined();
  });

  it('softmax stays finite for huge logits and gives NaN for a row of -Infinity', () => {
    const x = Float32Array.of(1000, 1001, 1002, -Infinity, -Infinity, -Infinity, 3e38, -3e38, 0);
    const got = kernels.arrays.softmax(x, { rows: 3, cols: 3 });
    const want = softmaxReference(Float32Array.of(0, 1, 2), 1, 3);
    expect(firstMismatch(got.subarray(0, 3), want, (w) => 1e-6 * w)).toBeUndefined();
    expect(Array.from(got.subarray(3, 6))).toEqual([NaN, NaN, NaN]);
    expect(Array.from(got.subarray(6))).toEqual([1, 0, 0]);
  });

  for (const [rows, cols] of [[1, 1], [1, 1024], [1024, 1], [17, 33], [33, 65], [64, 64], [100, 37]] as const) {
    it(`transposes ${rows}x${cols} exactly`, () => {
      const x = randomArray(rows * cols, rows * cols);
      const want = Array.from({ length: rows * cols }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)] as number);
      expect(firstMismatch(kernels.arrays.transpose(x, { rows, cols }), want, () => 0)).toBeUndefined();
    });
  }
});
