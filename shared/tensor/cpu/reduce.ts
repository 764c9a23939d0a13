import type { ReduceOp } from '../backend.js';
import type { AxisPlan, CrossEntropyPlan } from '../shapes.js';

/**
 * Reduces the middle axis of `[outer, size, inner]` to `[outer, inner]`, in f64.
 * @example reduceReference('sum', Float32Array.of(1, 2, 3, 4), { outer: 1, size: 2, inner: 2 }) // [4, 6]
 */
export function reduceReference(op: ReduceOp, x: Float32Array, plan: AxisPlan): Float32Array {
  const { outer, size, inner } = plan;
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let total = op === 'max' ? -Infinity : 0;
      for (let s = 0; s < size; s++) {
        const value = x[(o * size + s) * inner + i]!;
        total = op === 'max' ? Math.max(total, value) : total + value;
      }
      out[o * inner + i] = op === 'mean' ? total / size : total;
    }
  }
  return out;
}

/**
 * Softmax along the middle axis of `[outer, size, inner]`, shifted by the maximum so large inputs do not overflow.
 * @example softmaxReference(Float32Array.of(0, 0), { outer: 1, size: 2, inner: 1 }) // [0.5, 0.5]
 */
export function softmaxReference(x: Float32Array, plan: AxisPlan): Float32Array {
  const { outer, size, inner } = plan;
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (s: number): number => (o * size + s) * inner + i;
      let max = -Infinity;
      for (let s = 0; s < size; s++) max = Math.max(max, x[at(s)]!);
      let total = 0;
      for (let s = 0; s < size; s++) total += Math.exp(x[at(s)]! - max);
      for (let s = 0; s < size; s++) out[at(s)] = Math.exp(x[at(s)]! - max) / total;
    }
  }
  return out;
}

/**
 * Per-row softmax cross-entropy and the gradient of its mean over rows.
 * @example crossEntropyReference(Float32Array.of(0, 0), Float32Array.of(1), { rows: 1, cols: 2, labels: 'index' }) // rowLoss [ln 2], dLogits [0.5, -0.5]
 */
export function crossEntropyReference(logits: Float32Array, labels: Float32Array, plan: CrossEntropyPlan): { rowLoss: Float32Array; dLogits: Float32Array } {
  const { rows, cols } = plan;
  const rowLoss = new Float32Array(rows);
  const dLogits = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * cols, (r + 1) * cols);
    const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
    const logTotal = Math.log(row.reduce((total, value) => total + Math.exp(value - max), 0));
    let loss = 0;
    for (let c = 0; c < cols; c++) {
      const target = plan.labels === 'index' ? (labels[r] === c ? 1 : 0) : labels[r * cols + c]!;
      const logProbability = row[c]! - max - logTotal;
      loss -= target * logProbability;
      dLogits[r * cols + c] = (Math.exp(logProbability) - target) / rows;
    }
    rowLoss[r] = loss;
  }
  return { rowLoss, dLogits };
}
