import { beforeAll, describe, expect, it } from 'vitest';
import type { WasmKernels } from './kernels.js';
import { broadcastShapes, elementCount, rowMajorStrides } from './layout.js';
import type { BinaryOp, UnaryOp } from './ops.js';
import { BUILD_TIMEOUT_MS, firstMismatch, randomArray, TESTED_BUILDS, testKernels } from './test-support.js';

const SPECIAL = Float32Array.of(
  0, -0, 1, -1, 0.5, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1.2e-38, 1e-30, 88.7, 88.8, 89,
  -87.3, -87.4, -103.9, -104, -110, 1e30, -1e30, 3.4e38, -3.4e38, 2 ** -149, 0.624, 0.626, -9, 12,
);

// The oracle: f64 Math on the same f32 inputs, rounded to f32 at the end (Math.fround),
// so that what overflows f32 is Infinity here too.
const GELU_K = Math.sqrt(2 / Math.PI);
const UNARY_REFERENCE: Record<UnaryOp, (x: number) => number> = {
  relu: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)),
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  gelu: (x) => x / (1 + Math.exp(-2 * GELU_K * (x + 0.044715 * x ** 3))),
};

// Measured worst cases over 2·10⁵ values: exp/log/tanh/sigmoid ≤ 1.5e-7 relative (1-2 ulp),
// gelu ≤ 5.2e-7 absolute (its f32 argument u limits it in the far negative tail), so:
// 4e-7 relative + 1e-38 (values below f32's smallest normal) for the four, 1e-6 relative +
// 1e-6 absolute for gelu; relu and neg are exact.
const UNARY_TOLERANCE: Record<UnaryOp, (want: number) => number> = {
  relu: () => 0,
  neg: () => 0,
  exp: (want) => 4e-7 * Math.abs(want) + 1e-38,
  log: (want) => 4e-7 * Math.abs(want) + 1e-38,
  tanh: (want) => 4e-7 * Math.abs(want) + 1e-38,
  sigmoid: (want) => 4e-7 * Math.abs(want) + 1e-38,
  gelu: (want) => 1e-6 * Math.abs(want) + 1e-6,
};

const UNARY_RANGES: Record<UnaryOp, [number, number]> = {
  relu: [-5, 5], neg: [-5, 5], exp: [-110, 90], log: [0, 100], tanh: [-10, 10], sigmoid: [-100, 100], gelu: [-12, 12],
};

const BINARY_REFERENCE: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => Math.fround(a + b),
  sub: (a, b) => Math.fround(a - b),
  mul: (a, b) => Math.fround(a * b),
  div: (a, b) => Math.fround(a / b),
};

// NumPy broadcasting by index arithmetic, one output element at a time.
function broadcastReference(op: BinaryOp, a: Float32Array, aShape: number[], b: Float32Array, bShape: number[]): Float32Array {
  const shape = broadcastShapes(aShape, bShape);
  const out = new Float32Array(elementCount(shape));
  const outStrides = rowMajorStrides(shape);
  const offset = (own: number[], index: number): number => {
    const strides = rowMajorStrides(own);
    let at = 0;
    shape.forEach((_, d) => {
      const ownD = d - (shape.length - own.length);
      if (ownD < 0 || own[ownD] === 1) return;
      at += Math.floor(index / (outStrides[d] as number)) % (shape[d] as number) * (strides[ownD] as number);
    });
    return at;
  };
  for (let i = 0; i < out.length; i++) {
    out[i] = BINARY_REFERENCE[op](a[offset(aShape, i)] as number, b[offset(bShape, i)] as number);
  }
  return out;
}

const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div'];
const LENGTHS = [0, 1, 3, 4, 5, 17, 1023, 1025];

describe.each(TESTED_BUILDS)('wasm element-wise kernels (%s build)', (build) => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await testKernels(build);
  }, BUILD_TIMEOUT_MS);

  for (const op of Object.keys(UNARY_REFERENCE) as UnaryOp[]) {
    it(`${op} matches f64 Math on random values, odd lengths and IEEE special values`, () => {
      const [lo, hi] = UNARY_RANGES[op];
      for (const x of [randomArray(4099, 11, lo, hi), randomArray(5, 12, -1, 1), SPECIAL, new Float32Array(0)]) {
        const want = Array.from(x, (value) => Math.fround(UNARY_REFERENCE[op](value)));
        expect(firstMismatch(kernels.arrays.unary(op, x), want, UNARY_TOLERANCE[op])).toBeUndefined();
      }
    });
  }

  it('gives the edge values of exp, log, tanh and sigmoid exactly', () => {
    const edges = Float32Array.of(0, -0, Infinity, -Infinity, NaN, -1);
    expect(Array.from(kernels.arrays.unary('exp', edges))).toEqual([1, 1, Infinity, 0, NaN, Math.fround(Math.exp(-1))]);
    expect(Array.from(kernels.arrays.unary('log', edges))).toEqual([-Infinity, -Infinity, Infinity, NaN, NaN, NaN]);
    expect(Array.from(kernels.arrays.unary('tanh', edges)).slice(0, 5)).toEqual([0, 0, 1, -1, NaN]);
    expect(Array.from(kernels.arrays.unary('sigmoid', edges)).slice(0, 5)).toEqual([0.5, 0.5, 1, 0, NaN]);
  });

  it('runs a unary op in place', () => {
    const x = kernels.alloc(7);
    kernels.write(x, Float32Array.of(-3, -2, -1, 0, 1, 2, 3));
    kernels.unary('relu', x, x);
    expect(Array.from(kernels.read(x))).toEqual([0, 0, 0, 0, 1, 2, 3]);
    kernels.free(x);
  });

  for (const op of OPS) {
    it(`${op} on equal lengths is exactly f32 arithmetic`, () => {
      for (const length of LENGTHS) {
        const a = randomArray(length, length, -4, 4);
        const b = randomArray(length, length + 1, -4, 4);
        const want = Array.from(a, (value, i) => BINARY_REFERENCE[op](value, b[i] as number));
        expect(firstMismatch(kernels.arrays.binary(op, a, b), want, () => 0)).toBeUndefined();
      }
      const want = Array.from(SPECIAL, (value, i) => BINARY_REFERENCE[op](value, SPECIAL[SPECIAL.length - 1 - i] as number));
      expect(firstMismatch(kernels.arrays.binary(op, SPECIAL, SPECIAL.slice().reverse()), want, () => 0)).toBeUndefined();
    });
  }

  const SHAPE_PAIRS: [number[], number[]][] = [
    [[2, 3], [3]], [[3, 1], [1, 4]], [[2, 1, 5], [3, 1]], [[], [4]], [[7], []], [[1], [1]], [[], []],
    [[17, 33, 65], [33, 1]], [[17, 33, 65], [65]], [[1, 1024], [1024, 1]], [[4, 1, 3, 1, 2], [5, 1, 1, 2]],
    [[2, 3, 4], [2, 3, 4]], [[0, 3], [3]],
  ];
  for (const [aShape, bShape] of SHAPE_PAIRS) {
    it(`broadcasts [${aShape.join(', ')}] with [${bShape.join(', ')}] for every op, exactly`, () => {
      const a = randomArray(elementCount(aShape), 5, -3, 3);
      const b = randomArray(elementCount(bShape), 6, 0.5, 3);
      for (const op of OPS) {
        const want = broadcastReference(op, a, aShape, b, bShape);
        expect(firstMismatch(kernels.arrays.binaryBroadcast(op, a, aShape, b, bShape), want, () => 0)).toBeUndefined();
        const swapped = broadcastReference(op, b, bShape, a, aShape);
        expect(firstMismatch(kernels.arrays.binaryBroadcast(op, b, bShape, a, aShape), swapped, () => 0)).toBeUndefined();
      }
    });
  }

  it('refuses shapes that do not broadcast', () => {
    expect(() => kernels.arrays.binaryBroadcast('add', new Float32Array(6), [2, 3], new Float32Array(2), [2]))
      .toThrow(/shapes \[2, 3\] and \[2\] do not broadcast/);
  });

  it('walks arbitrary strides: a transposed view minus a column vector', () => {
    // a is stored as [3, 4] and read as its [4, 3] transpose; b is [4, 1] repeated along columns.
    const a = Float32Array.from({ length: 12 }, (_, i) => i);
    const b = Float32Array.of(100, 200, 300, 400);
    const got = kernels.arrays.binaryStrided('sub', a, b, { shape: [4, 3], aStrides: [1, 4], bStrides: [1, 0] });
    expect(Array.from(got)).toEqual([-100, -96, -92, -199, -195, -191, -298, -294, -290, -397, -393, -389]);
  });

  it('refuses a layout that reads past a buffer', () => {
    const run = (): Float32Array => kernels.arrays.binaryStrided('add', new Float32Array(4), new Float32Array(4), {
      shape: [2, 3], aStrides: [3, 1], bStrides: [0, 1],
    });
    expect(run).toThrow(/reaches element 5 of a buffer of 4/);
  });
});
