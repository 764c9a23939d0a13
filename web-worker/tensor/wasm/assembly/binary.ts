// Element-wise binary ops: a contiguous same-shape path and a strided one for
// broadcasting. The op codes are mirrored in ../ops.ts.

export const ADD: i32 = 0;
export const SUB: i32 = 1;
export const MUL: i32 = 2;
export const DIV: i32 = 3;

/** Most dimensions `binaryStrided` takes; the host merges dimensions to stay under it. */
export const MAX_RANK: i32 = 8;

// @ts-ignore: decorator
@inline
function applyV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    default: return f32x4.div(a, b);
  }
}

// @ts-ignore: decorator
@inline
function applyS(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    default: return a / b;
  }
}

// out[i] = a[i * sa] op b[i * sb] for i < n; strides in elements. Vectorised when
// each stride is 0 (broadcast) or 1 (contiguous), which is what broadcasting produces.
// @ts-ignore: decorator
@inline
function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, applyV(op, v128.load(a + off), v128.load(b + off)));
    }
  } else if (sa == 0 && sb == 1) {
    const va = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, applyV(op, va, v128.load(b + off)));
    }
  } else if (sa == 1 && sb == 0) {
    const vb = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(out + off, applyV(op, v128.load(a + off), vb));
    }
  }
  for (; i < n; i++) {
    const x = load<f32>(a + ((<usize>i * sa) << 2));
    const y = load<f32>(b + ((<usize>i * sb) << 2));
    store<f32>(out + (<usize>i << 2), applyS(op, x, y));
  }
}

// One function per op, each inlining the loop with a constant op so that no
// switch is left inside it.
function addRow(a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void { binaryRow(ADD, a, sa, b, sb, out, n); }
function subRow(a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void { binaryRow(SUB, a, sa, b, sb, out, n); }
function mulRow(a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void { binaryRow(MUL, a, sa, b, sb, out, n); }
function divRow(a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void { binaryRow(DIV, a, sa, b, sb, out, n); }

// @ts-ignore: decorator
@inline
function opRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, n: i32): void {
  switch (op) {
    case ADD: addRow(a, sa, b, sb, out, n); break;
    case SUB: subRow(a, sa, b, sb, out, n); break;
    case MUL: mulRow(a, sa, b, sb, out, n); break;
    default: divRow(a, sa, b, sb, out, n); break;
  }
}

/** out[i] = a[i] op b[i] for n values; `out` may be `a` or `b`. */
export function binary(op: i32, a: usize, b: usize, out: usize, n: i32): void {
  opRow(op, a, 1, b, 1, out, n);
}

// Rows are dispatched by op one at a time, which costs little next to a row's work.
function stridedLoop(
  op: i32, a: usize, b: usize, out: usize, rank: i32,
  shape: usize, stridesA: usize, stridesB: usize, counters: usize,
): void {
  const last = <usize>(rank - 1) << 2;
  const inner = load<i32>(shape + last);
  const innerA = load<i32>(stridesA + last);
  const innerB = load<i32>(stridesB + last);
  let rows = 1;
  for (let d = 0; d < rank - 1; d++) rows *= load<i32>(shape + (<usize>d << 2));
  memory.fill(counters, 0, MAX_RANK * 4);
  let offA: isize = 0;
  let offB: isize = 0;
  for (let row = 0; row < rows; row++) {
    opRow(op, a + (offA << 2), innerA, b + (offB << 2), innerB, out + ((<usize>row * inner) << 2), inner);
    // Advance the multi-index over the outer dimensions like an odometer.
    for (let d = rank - 2; d >= 0; d--) {
      const at = <usize>d << 2;
      const count = load<i32>(counters + at) + 1;
      offA += load<i32>(stridesA + at);
      offB += load<i32>(stridesB + at);
      if (count < load<i32>(shape + at)) {
        store<i32>(counters + at, count);
        break;
      }
      store<i32>(counters + at, 0);
      offA -= <isize>load<i32>(stridesA + at) * count;
      offB -= <isize>load<i32>(stridesB + at) * count;
    }
  }
}

/**
 * out (dense, row-major, `rank` dimensions given as i32 at `shape`) = a op b, where
 * element (i0, .., ir) of a is at a + 4 * sum(i_d * stridesA[d]) (strides as i32,
 * in elements, 0 for a broadcast dimension), likewise for b. 1 <= rank <= MAX_RANK.
 * `counters` is the host's scratch of MAX_RANK i32: the module keeps no static data, so an
 * instance started over a shared memory rewrites nothing another thread is using.
 */
export function binaryStrided(
  op: i32, a: usize, b: usize, out: usize, rank: i32,
  shape: usize, stridesA: usize, stridesB: usize, counters: usize,
): void {
  stridedLoop(op, a, b, out, rank, shape, stridesA, stridesB, counters);
}
