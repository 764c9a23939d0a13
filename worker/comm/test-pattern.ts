/**
 * Deterministic integer vectors for proving collectives exact (unit tests, the lab page, e2e):
 * rank r's element i is (r + 1) · (i mod 251 + 1), so sums, means, maxima and minima over up to
 * 16 ranks are integers or halves, exact in float32 whatever the order of summation.
 */
import type { ReduceOp } from '../../worker/index.js';

/**
 * Rank `rank`'s vector of `length`.
 * @example rankValues(1, 3) // Float32Array [2, 4, 6]
 */
export function rankValues(rank: number, length: number): Float32Array {
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = (rank + 1) * ((i % 251) + 1);
  return values;
}

/**
 * What `op` over the vectors of ranks 0..size-1 gives.
 * @example expectedReduction('sum', 2, 2) // Float32Array [3, 6]
 */
export function expectedReduction(op: ReduceOp, size: number, length: number): Float32Array {
  const factor = { sum: (size * (size + 1)) / 2, mean: (size + 1) / 2, max: size, min: 1 }[op];
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = factor * ((i % 251) + 1);
  return values;
}

/**
 * The first index where two vectors differ (a length difference counts), or -1.
 * @example firstMismatch(Float32Array.of(1, 2), Float32Array.of(1, 3)) // 1
 */
export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  const length = Math.min(actual.length, expected.length);
  for (let i = 0; i < length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return actual.length === expected.length ? -1 : length;
}
