// Softmax along the last axis of a dense [rows, cols] array.
import { expV } from './simd-math';
import { rowMax } from './reduce';

// out[j] = exp(x[j] - m) for n values; returns their sum. The tail runs through
// the vector exp too, with the unused lanes kept out of the sum.
function expShiftedRow(x: usize, out: usize, n: i32, m: f32): f32 {
  const shift = f32x4.splat(m);
  let sum = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const e = expV(f32x4.sub(v128.load(x + off), shift));
    v128.store(out + off, e);
    sum = f32x4.add(sum, e);
  }
  let total = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1)
    + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const e = f32x4.extract_lane(expV(f32x4.splat(load<f32>(x + off) - m)), 0);
    store<f32>(out + off, e);
    total += e;
  }
  return total;
}

function scaleRow(out: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(out + off, f32x4.mul(v128.load(out + off), vs));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(out + off, load<f32>(out + off) * s);
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
