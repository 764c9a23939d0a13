/**
 * How one kernel call is split across threads: pure planning over the kernels' arguments (byte
 * addresses and element counts, as `module.ts` names them), so the same plan can be run by the
 * thread pool in a browser or part by part on one thread in a test. Each part writes its own
 * slice of the output, and every part computes its elements as the whole call would.
 */

/** The kernel exports a plan may call, by the number that names them between threads. */
export const SPLIT_KERNELS = ['matmulBatched', 'binary', 'unary', 'reduce', 'reduceColumns', 'softmax'] as const;
export type SplitKernel = (typeof SPLIT_KERNELS)[number];

/** One kernel call with its i32 arguments: one thread's part of an op. */
export interface KernelCall {
  readonly kernel: SplitKernel;
  readonly args: readonly number[];
}

/**
 * The calls of one op: each round's calls run at once, one a thread, and a round starts when the
 * one before has ended. A round of one call runs on the calling thread alone.
 */
export type SplitPlan = readonly (readonly KernelCall[])[];

/**
 * Less work than this a thread is not worth waking (waking a sleeping thread costs tens of
 * microseconds): 2²⁰ multiply-adds of a matmul (about 40 µs at 50 GFLOPS), 2¹⁷ elements of the
 * other ops (half a megabyte).
 */
export const MIN_WORK_PER_THREAD = { multiplyAdds: 1 << 20, elements: 1 << 17 } as const;
/** Matmul rows go out in multiples of this: both micro-tiles' heights (4 and 6) divide it. */
export const MATMUL_ROW_GRAIN = 24;
/** Elementwise ranges go out in multiples of this many elements (a few cache lines). */
export const ELEMENT_GRAIN = 256;
/** Reduced columns go out in multiples of this (whole vectors). */
export const COLUMN_GRAIN = 16;

/**
 * Up to `parts` consecutive ranges `[start, count]` covering `0..total`, each but the last a
 * multiple of `grain`, none empty: fewer parts when `total` has too few grains for them.
 * @example splitRange(10, 3, 4) // [[0, 4], [4, 4], [8, 2]]
 */
export function splitRange(total: number, parts: number, grain = 1): [number, number][] {
  const grains = Math.ceil(total / grain);
  const count = Math.max(1, Math.min(parts, grains));
  const ranges: [number, number][] = [];
  let start = 0;
  for (let part = 0; part < count && start < total; part++) {
    const end = Math.min(total, Math.round((grains * (part + 1)) / count) * grain);
    if (end > start) ranges.push([start, end - start]);
    start = end;
  }
  return ranges;
}

/** Threads worth using for `work` units of which a thread should get `least`: at most `threads`, at least 1. */
export function threadsFor(work: number, threads: number, least: number = MIN_WORK_PER_THREAD.elements): number {
  return Math.max(1, Math.min(threads, Math.floor(work / least)));
}

/** `matmulBatched`'s arguments, named. Strides are in elements, as the kernel takes them. */
export interface MatmulCall {
  a: number;
  b: number;
  c: number;
  batch: number;
  m: number;
  k: number;
  n: number;
  rsa: number;
  csa: number;
  rsb: number;
  csb: number;
  batchStrideA: number;
  batchStrideB: number;
  workspace: number;
}

function matmulArgs(call: MatmulCall, workspace: number): KernelCall {
  const { a, b, c, batch, m, k, n, rsa, csa, rsb, csb, batchStrideA, batchStrideB } = call;
  return { kernel: 'matmulBatched', args: [a, b, c, batch, m, k, n, rsa, csa, rsb, csb, batchStrideA, batchStrideB, workspace] };
}

/**
 * A batched matmul over `threads`: by batches when there are enough of them, else each batch
 * by rows of C (a round per batch). Thread `t` packs into its own workspace, `workspaceBytes`
 * after the one before.
 * @example planMatmul({ ...call, batch: 1, m: 512 }, 2, 1 << 20) // one round: rows 0..256 and 256..512
 */
export function planMatmul(call: MatmulCall, threads: number, workspaceBytes: number): SplitPlan {
  const { batch, m, k, n } = call;
  const used = threadsFor(batch * m * k * n, threads, MIN_WORK_PER_THREAD.multiplyAdds);
  const workspace = (thread: number): number => call.workspace + thread * workspaceBytes;
  if (used === 1) return [[matmulArgs(call, call.workspace)]];
  if (batch >= used) {
    return [splitRange(batch, used).map(([first, count], thread) => matmulArgs({
      ...call,
      a: call.a + 4 * first * call.batchStrideA,
      b: call.b + 4 * first * call.batchStrideB,
      c: call.c + 4 * first * m * n,
      batch: count,
    }, workspace(thread)))];
  }
  const rounds: KernelCall[][] = [];
  for (let index = 0; index < batch; index++) {
    const a = call.a + 4 * index * call.batchStrideA;
    const b = call.b + 4 * index * call.batchStrideB;
    const c = call.c + 4 * index * m * n;
    rounds.push(splitRange(m, used, MATMUL_ROW_GRAIN).map(([row, rows], thread) => matmulArgs({
      ...call, a: a + 4 * row * call.rsa, b, c: c + 4 * row * n, batch: 1, m: rows,
    }, workspace(thread))));
  }
  return rounds;
}

/**
 * `unary(op, x, out, n)` or `binary(op, a, b, out, n)` by ranges of elements.
 * @example planElementwise('unary', [op, x, out], 1 << 20, 2) // two halves
 */
export function planElementwise(kernel: 'unary' | 'binary', [op, ...pointers]: readonly number[], n: number, threads: number): SplitPlan {
  const used = threadsFor(n, threads);
  return [splitRange(n, used, ELEMENT_GRAIN).map(([start, count]) => ({
    kernel, args: [op ?? 0, ...pointers.map((pointer) => pointer + 4 * start), count],
  }))];
}

/** `softmax(x, out, rows, cols)` by rows. */
export function planSoftmax(x: number, out: number, rows: number, cols: number, threads: number): SplitPlan {
  const used = threadsFor(rows * cols, threads);
  return [splitRange(rows, used).map(([row, count]) => ({
    kernel: 'softmax', args: [x + 4 * row * cols, out + 4 * row * cols, count, cols],
  }))];
}

/**
 * `reduce(op, x, out, outer, axis, inner)`: by outer blocks when there are enough of them, else
 * by blocks of inner columns (`reduceColumns`); a single long row stays on one thread.
 */
export function planReduce(op: number, x: number, out: number, outer: number, axis: number, inner: number, threads: number): SplitPlan {
  const used = threadsFor(outer * axis * inner, threads);
  if (used > 1 && outer >= used) {
    return [splitRange(outer, used).map(([first, count]) => ({
      kernel: 'reduce', args: [op, x + 4 * first * axis * inner, out + 4 * first * inner, count, axis, inner],
    }))];
  }
  if (used > 1 && inner >= used * COLUMN_GRAIN) {
    return [splitRange(inner, used, COLUMN_GRAIN).map(([column, width]) => ({
      kernel: 'reduceColumns', args: [op, x + 4 * column, out + 4 * column, outer, axis, inner, width],
    }))];
  }
  return [[{ kernel: 'reduce', args: [op, x, out, outer, axis, inner] }]];
}
