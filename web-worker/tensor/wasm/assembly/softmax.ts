// Softmax along the last axis of a dense [rows, cols] array: one pass for the max, one that
// stores exp(x - max) and sums it, one that scales by the sum's reciprocal.
import { expNonPositiveV } from './simd-math';
import { rowMax } from './reduce';

// @ts-ignore: decorator
@inline
function expShifted(x: usize, out: usize, shift: v128): v128 {
  const e = expNonPositiveV(f32x4.sub(v128.load(x), shift));
  v128.store(out, e);
  return e;
}

// out[j] = exp(x[j] - m) for n values; returns their sum. Four vectors a step, each with its
// own accumulator, so the adds do not queue behind one another.
function expShiftedRow(x: usize, out: usize, n: i32, m: f32): f32 {
  const shift = f32x4.splat(m);
  let sum0 = f32x4.splat(0), sum1 = sum0, sum2 = sum0, sum3 = sum0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const src = x + (<usize>i << 2);
    const dst = out + (<usize>i << 2);
    sum0 = f32x4.add(sum0, expShifted(src, dst, shift));
    sum1 = f32x4.add(sum1, expShifted(src + 16, dst + 16, shift));
    sum2 = f32x4.add(sum2, expShifted(src + 32, dst + 32, shift));
    sum3 = f32x4.add(sum3, expShifted(src + 48, dst + 48, shift));
  }
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    sum0 = f32x4.add(sum0, expShifted(x + off, out + off, shift));
  }
  const sum = f32x4.add(f32x4.add(sum0, sum1), f32x4.add(sum2, sum3));
  let total = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1)
    + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const e = f32x4.extract_lane(expNonPositiveV(f32x4.splat(load<f32>(x + off) - m)), 0);
    store<f32>(out + off, e);
    total += e;
  }
  return total;
}

function scaleRow(out: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = out + (<usize>i << 2);
    v128.store(p, f32x4.mul(v128.load(p), vs));
    v128.store(p, f32x4.mul(v128.load(p, 16), vs), 16);
    v128.store(p, f32x4.mul(v128.load(p, 32), vs), 32);
    v128.store(p, f32x4.mul(v128.load(p, 48), vs), 48);
  }
  for (; i + 4 <= n; i += 4) {
    const p = out + (<usize>i << 2);
    v128.store(p, f32x4.mul(v128.load(p), vs));
  }
  for (; i < n; i++) {
    const p = out + (<usize>i << 2);
    store<f32>(p, load<f32>(p) * s);
  }
}

/** out[r, :] = exp(x[r, :] - max) / sum(exp(x[r, :] - max)); `out` may be `x`. */
export function softmax(x: usize, out: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const src = x + <usize>r * rowBytes;
    const dst = out + <usize>r * rowBytes;
    const total = expShiftedRow(src, dst, cols, rowMax(src, cols));
    scaleRow(dst, cols, <f32>1 / total);
  }
}
