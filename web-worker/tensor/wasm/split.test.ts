import { beforeAll, describe, expect, it } from 'vitest';
import { LinearHeap } from './heap.js';
import { callKernel, createSharedMemory, instantiateKernelModule, type KernelExports } from './module.js';
import { BINARY_CODES, REDUCE_CODES, UNARY_CODES } from './ops.js';
import {
  MATMUL_ROW_GRAIN, type MatmulCall, type SplitPlan,
  planElementwise, planMatmul, planReduce, planSoftmax, splitRange,
} from './split.js';
import { BUILD_TIMEOUT_MS, randomArray, THREADED_BUILDS, threadedModule } from './test-support.js';

describe('splitRange', () => {
  it('covers 0..total with consecutive ranges, each but the last a multiple of the grain, none empty', () => {
    for (const [total, parts, grain] of [[10, 3, 4], [257, 2, 24], [1, 4, 1], [1000, 7, 16], [48, 2, 24], [5, 16, 1], [2048, 16, 24]] as const) {
      const ranges = splitRange(total, parts, grain);
      expect(ranges.length).toBeGreaterThan(0);
      expect(ranges.length).toBeLessThanOrEqual(parts);
      let next = 0;
      ranges.forEach(([start, count], index) => {
        expect(start).toBe(next);
        expect(count).toBeGreaterThan(0);
        if (index < ranges.length - 1) expect(count % grain).toBe(0);
        next = start + count;
      });
      expect(next).toBe(total);
    }
  });

  it('splits evenly by grains, and gives fewer parts than asked when there are too few grains', () => {
    expect(splitRange(10, 3, 4)).toEqual([[0, 4], [4, 4], [8, 2]]);
    expect(splitRange(2048, 2, 24)).toEqual([[0, 1032], [1032, 1016]]);
    expect(splitRange(30, 4, 24)).toEqual([[0, 24], [24, 6]]);
    expect(splitRange(0, 4)).toEqual([]);
  });
});

describe('plans', () => {
  const matmul: MatmulCall = { a: 0, b: 0, c: 0, batch: 1, m: 512, k: 512, n: 512, rsa: 512, csa: 1, rsb: 512, csb: 1, batchStrideA: 0, batchStrideB: 0, workspace: 1 << 20 };

  it('keep small work on one thread', () => {
    expect(planMatmul({ ...matmul, m: 64, k: 64, n: 255 }, 4, 4096)).toEqual([[expect.objectContaining({ kernel: 'matmulBatched' })]]);
    expect(planElementwise('unary', [0, 0, 0], 200_000, 4)[0]).toHaveLength(1);
    expect(planElementwise('unary', [0, 0, 0], 300_000, 4)[0]).toHaveLength(2);
    expect(planReduce(0, 0, 0, 1, 1 << 20, 1, 4)[0]).toHaveLength(1);
  });

  it('split a matmul by rows of C, each thread with its own workspace; batches by batch', () => {
    const [round, ...more] = planMatmul(matmul, 2, 4096);
    expect(more).toEqual([]);
    expect(round!.map((call) => call.args[4])).toEqual([264, 248]);
    expect(round!.map((call) => call.args[13])).toEqual([1 << 20, (1 << 20) + 4096]);
    expect(264 % MATMUL_ROW_GRAIN).toBe(0);
    const batched = planMatmul({ ...matmul, batch: 4, m: 64 }, 2, 4096);
    expect(batched).toHaveLength(1);
    expect(batched[0]!.map((call) => call.args[3])).toEqual([2, 2]);
    // Fewer batches than threads: a round per batch, each split by rows.
    expect(planMatmul({ ...matmul, batch: 3 }, 4, 4096).map((round) => round.length)).toEqual([4, 4, 4]);
  });
});

/** Runs each part of `plan` in turn on one thread: what the threads would do, in some order. */
function runParts(exports: KernelExports, plan: SplitPlan): number {
  let parts = 0;
  for (const round of plan) {
    for (const call of round) {
      callKernel(exports, call);
      parts++;
    }
  }
  return parts;
}

describe.each(THREADED_BUILDS)('split kernels on the %s build, part by part on one thread, equal the whole call bit for bit', (build) => {
  let exports: KernelExports;
  let heap: LinearHeap;
  beforeAll(async () => {
    exports = await instantiateKernelModule(await threadedModule(build), createSharedMemory());
    heap = new LinearHeap(exports.memory, exports.heapBase());
  }, BUILD_TIMEOUT_MS);

  const put = (values: Float32Array): number => {
    const address = heap.allocate(values.length * 4);
    new Float32Array(exports.memory.buffer, address, values.length).set(values);
    return address;
  };
  const take = (address: number, length: number): Float32Array => new Float32Array(exports.memory.buffer, address, length).slice();

  it('matmul 257×131 · 131×199, batched, transposed and broadcast', () => {
    const cases: Omit<MatmulCall, 'a' | 'b' | 'c' | 'workspace' | 'rsa' | 'csa' | 'rsb' | 'csb' | 'batchStrideA' | 'batchStrideB'>[] = [
      { batch: 1, m: 257, k: 131, n: 199 }, { batch: 3, m: 128, k: 96, n: 128 }, { batch: 1, m: 150, k: 300, n: 65 },
    ];
    const perThread = Math.ceil(exports.matmulWorkspaceBytes() / 64) * 64;
    const workspace = heap.allocate(perThread * 4);
    for (const { batch, m, k, n } of cases) {
      for (const transposeA of [false, true]) {
        const a = put(randomArray(batch * m * k, m + k));
        const b = put(randomArray(k * n, n));
        const [rsa, csa] = transposeA ? [1, m] : [k, 1];
        const call: MatmulCall = { a, b, c: heap.allocate(batch * m * n * 4), batch, m, k, n, rsa, csa, rsb: n, csb: 1, batchStrideA: m * k, batchStrideB: 0, workspace };
        exports.matmulBatched(call.a, call.b, call.c, batch, m, k, n, rsa, csa, n, 1, m * k, 0, workspace);
        const expected = take(call.c, batch * m * n);
        new Float32Array(exports.memory.buffer, call.c, batch * m * n).fill(Number.NaN);
        expect(runParts(exports, planMatmul(call, 4, perThread))).toBeGreaterThan(1);
        expect(take(call.c, batch * m * n)).toEqual(expected);
      }
    }
  });

  it('unary and binary ops by ranges', () => {
    const n = 400_003;
    const x = put(randomArray(n, 1));
    const y = put(randomArray(n, 2, 0.5, 2));
    const out = heap.allocate(n * 4);
    for (const op of ['gelu', 'exp', 'tanh'] as const) {
      exports.unary(UNARY_CODES[op], x, out, n);
      const expected = take(out, n);
      expect(runParts(exports, planElementwise('unary', [UNARY_CODES[op], x, out], n, 3))).toBe(3);
      expect(take(out, n)).toEqual(expected);
    }
    exports.binary(BINARY_CODES.div, x, y, out, n);
    const quotient = take(out, n);
    expect(runParts(exports, planElementwise('binary', [BINARY_CODES.div, x, y, out], n, 2))).toBe(2);
    expect(take(out, n)).toEqual(quotient);
  });

  it('softmax by rows and reductions by outer blocks or by columns', () => {
    const [rows, cols] = [1021, 257];
    // Large enough for every reduction's input below.
    const x = put(randomArray(1 << 20, 3, -5, 5));
    const out = heap.allocate((1 << 20) * 4);
    exports.softmax(x, out, rows, cols);
    const softmax = take(out, rows * cols);
    expect(runParts(exports, planSoftmax(x, out, rows, cols, 4))).toBeGreaterThan(1);
    expect(take(out, rows * cols)).toEqual(softmax);
    for (const [outer, axis, inner] of [[1021, 257, 1], [1, 1021, 257], [3, 400, 257], [2, 256, 1000]] as const) {
      for (const op of ['sum', 'mean', 'max'] as const) {
        exports.reduce(REDUCE_CODES[op], x, out, outer, axis, inner);
        const reduced = take(out, outer * inner);
        expect(runParts(exports, planReduce(REDUCE_CODES[op], x, out, outer, axis, inner, 3)), `${op} ${outer}×${axis}×${inner}`).toBeGreaterThan(1);
        expect(take(out, outer * inner)).toEqual(reduced);
      }
    }
  });
});
