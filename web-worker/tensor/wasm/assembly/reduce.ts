// Reductions of a dense [outer, axis, inner] array along its middle axis
// (inner == 1 is the last axis). The op codes are mirrored in ../ops.ts.

export const SUM: i32 = 0;
export const MEAN: i32 = 1;
export const MAX: i32 = 2;

// @ts-ignore: decorator
@inline
function combineV(op: i32, a: v128, b: v128): v128 {
  return op == MAX ? f32x4.max(a, b) : f32x4.add(a, b);
}

// @ts-ignore: decorator
@inline
function combineS(op: i32, a: f32, b: f32): f32 {
  return op == MAX ? max(a, b) : a + b;
}

// @ts-ignore: decorator
@inline
function horizontal(op: i32, v: v128): f32 {
  const lo = combineS(op, f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
  const hi = combineS(op, f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3));
  return combineS(op, lo, hi);
}

// Four vector accumulators (16 lanes) hide the add latency and, for sums,
// keep partial sums smaller than one running total would.
// @ts-ignore: decorator
@inline
function reduceRow(op: i32, x: usize, n: i32): f32 {
  const identity: f32 = op == MAX ? -Infinity : 0;
  let acc0 = f32x4.splat(identity), acc1 = acc0, acc2 = acc0, acc3 = acc0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    acc0 = combineV(op, acc0, v128.load(p));
    acc1 = combineV(op, acc1, v128.load(p, 16));
    acc2 = combineV(op, acc2, v128.load(p, 32));
    acc3 = combineV(op, acc3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) acc0 = combineV(op, acc0, v128.load(x + (<usize>i << 2)));
  let r = horizontal(op, combineV(op, combineV(op, acc0, acc1), combineV(op, acc2, acc3)));
  for (; i < n; i++) r = combineS(op, r, load<f32>(x + (<usize>i << 2)));
  return op == MEAN ? r / <f32>n : r;
}

/** Max of n contiguous values (-Infinity when n == 0, NaN if any is NaN). */
export function rowMax(x: usize, n: i32): f32 {
  return reduceRow(MAX, x, n);
}

// out[o, i] = op over a of x[o, a, i] for i < width, vectorised along the contiguous inner
// axis; rows are `inner` values apart, so a column block of a wider array can be reduced alone.
// @ts-ignore: decorator
@inline
function reduceMiddleLoop(op: i32, x: usize, out: usize, outer: i32, axis: i32, inner: i32, width: i32): void {
  const rowBytes = <usize>inner << 2;
  const widthBytes = <usize>width << 2;
  const identity: f32 = op == MAX ? -Infinity : 0;
  for (let o = 0; o < outer; o++) {
    const dst = out + <usize>o * rowBytes;
    const src = x + <usize>o * axis * rowBytes;
    if (axis == 0) {
      for (let i = 0; i < width; i++) store<f32>(dst + (<usize>i << 2), op == MEAN ? NaN : identity);
      continue;
    }
    memory.copy(dst, src, widthBytes);
    for (let a = 1; a < axis; a++) {
      const row = src + <usize>a * rowBytes;
      let i = 0;
      for (; i + 4 <= width; i += 4) {
        const off = <usize>i << 2;
        v128.store(dst + off, combineV(op, v128.load(dst + off), v128.load(row + off)));
      }
      for (; i < width; i++) {
        const off = <usize>i << 2;
        store<f32>(dst + off, combineS(op, load<f32>(dst + off), load<f32>(row + off)));
      }
    }
    if (op == MEAN) {
      const scale = f32x4.splat(<f32>1 / <f32>axis);
      let i = 0;
      for (; i + 4 <= width; i += 4) {
        const off = <usize>i << 2;
        v128.store(dst + off, f32x4.mul(v128.load(dst + off), scale));
      }
      for (; i < width; i++) {
        const off = <usize>i << 2;
        store<f32>(dst + off, load<f32>(dst + off) / <f32>axis);
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function reduceLastLoop(op: i32, x: usize, out: usize, outer: i32, axis: i32): void {
  const rowBytes = <usize>axis << 2;
  for (let o = 0; o < outer; o++) {
    store<f32>(out + (<usize>o << 2), reduceRow(op, x + <usize>o * rowBytes, axis));
  }
}

function sumLast(x: usize, out: usize, outer: i32, axis: i32): void { reduceLastLoop(SUM, x, out, outer, axis); }
function meanLast(x: usize, out: usize, outer: i32, axis: i32): void { reduceLastLoop(MEAN, x, out, outer, axis); }
function maxLast(x: usize, out: usize, outer: i32, axis: i32): void { reduceLastLoop(MAX, x, out, outer, axis); }
function sumMiddle(x: usize, out: usize, outer: i32, axis: i32, inner: i32, width: i32): void { reduceMiddleLoop(SUM, x, out, outer, axis, inner, width); }
function meanMiddle(x: usize, out: usize, outer: i32, axis: i32, inner: i32, width: i32): void { reduceMiddleLoop(MEAN, x, out, outer, axis, inner, width); }
function maxMiddle(x: usize, out: usize, outer: i32, axis: i32, inner: i32, width: i32): void { reduceMiddleLoop(MAX, x, out, outer, axis, inner, width); }

/**
 * out[outer, inner] = op over the middle axis of x[outer, axis, inner].
 * Sum of nothing is 0, max of nothing -Infinity, mean of nothing NaN.
 */
export function reduce(op: i32, x: usize, out: usize, outer: i32, axis: i32, inner: i32): void {
  if (inner == 1) {
    if (op == SUM) sumLast(x, out, outer, axis);
    else if (op == MEAN) meanLast(x, out, outer, axis);
    else maxLast(x, out, outer, axis);
  } else reduceColumns(op, x, out, outer, axis, inner, inner);
}

/**
 * The first `width` columns of `reduce` over x[outer, axis, inner] (inner > 1): `x` and `out`
 * point at the block's first column, rows stay `inner` apart. Threads split a reduction so.
 */
export function reduceColumns(op: i32, x: usize, out: usize, outer: i32, axis: i32, inner: i32, width: i32): void {
  if (op == SUM) sumMiddle(x, out, outer, axis, inner, width);
  else if (op == MEAN) meanMiddle(x, out, outer, axis, inner, width);
  else maxMiddle(x, out, outer, axis, inner, width);
}
