// Element-wise unary ops over n contiguous f32. The op codes are mirrored in ../ops.ts.
import { expV, geluV, logV, sigmoidV, tanhV } from './simd-math';

export const RELU: i32 = 0;
export const GELU: i32 = 1;
export const EXP: i32 = 2;
export const LOG: i32 = 3;
export const TANH: i32 = 4;
export const SIGMOID: i32 = 5;
export const NEG: i32 = 6;

// @ts-ignore: decorator
@inline
function applyUnary(op: i32, x: v128): v128 {
  switch (op) {
    case RELU: return f32x4.max(x, f32x4.splat(0));
    case GELU: return geluV(x);
    case EXP: return expV(x);
    case LOG: return logV(x);
    case TANH: return tanhV(x);
    case SIGMOID: return sigmoidV(x);
    default: return f32x4.neg(x);
  }
}

// The last n % 4 values go through the same vector code, so every element is computed alike.
// @ts-ignore: decorator
@inline
function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const end = x + (<usize>(n & ~3) << 2);
  while (x < end) {
    v128.store(out, applyUnary(op, v128.load(x)));
    x += 16;
    out += 16;
  }
  const rest = n & 3;
  if (rest == 0) return;
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(x));
  if (rest > 1) v = f32x4.replace_lane(v, 1, load<f32>(x, 4));
  if (rest > 2) v = f32x4.replace_lane(v, 2, load<f32>(x, 8));
  v = applyUnary(op, v);
  store<f32>(out, f32x4.extract_lane(v, 0));
  if (rest > 1) store<f32>(out, f32x4.extract_lane(v, 1), 4);
  if (rest > 2) store<f32>(out, f32x4.extract_lane(v, 2), 8);
}

// One function per op: each inlines unaryLoop with a constant op, so its loop has no switch.
function reluLoop(x: usize, out: usize, n: i32): void { unaryLoop(RELU, x, out, n); }
function geluLoop(x: usize, out: usize, n: i32): void { unaryLoop(GELU, x, out, n); }
function expLoop(x: usize, out: usize, n: i32): void { unaryLoop(EXP, x, out, n); }
function logLoop(x: usize, out: usize, n: i32): void { unaryLoop(LOG, x, out, n); }
function tanhLoop(x: usize, out: usize, n: i32): void { unaryLoop(TANH, x, out, n); }
function sigmoidLoop(x: usize, out: usize, n: i32): void { unaryLoop(SIGMOID, x, out, n); }
function negLoop(x: usize, out: usize, n: i32): void { unaryLoop(NEG, x, out, n); }

/** out[i] = op(x[i]) for n values; `out` may be `x`. */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case RELU: reluLoop(x, out, n); break;
    case GELU: geluLoop(x, out, n); break;
    case EXP: expLoop(x, out, n); break;
    case LOG: logLoop(x, out, n); break;
    case TANH: tanhLoop(x, out, n); break;
    case SIGMOID: sigmoidLoop(x, out, n); break;
    default: negLoop(x, out, n); break;
  }
}
