// f32x4 approximations of exp, log and tanh after Cephes' expf/logf/tanhf
// (about 1-2 ulp), with IEEE behaviour at the edges: NaN in gives NaN out,
// exp overflows to +Infinity and underflows through subnormals to 0,
// log(0) = -Infinity and log(x < 0) = NaN.

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split into a part exact in few bits and a small remainder (Cody-Waite).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
// Below -104 exp is under half the smallest subnormal; above 88.8 it is Infinity.
const EXP_MIN: f32 = -104.0;
const EXP_MAX: f32 = 88.8;

// @ts-ignore: decorator
@inline
export function expV(x: v128): v128 {
  // pmax/pmin return their first operand when it is NaN, so NaN survives the clamp.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_MIN)), f32x4.splat(EXP_MAX));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  // 2^n in two halves so that n in [-150, 128] never leaves the exponent range.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

// exp on x <= 0 only, for softmax's x - max: XNNPACK's rr2-p5 (about 2 ulp). Rounding x·log2(e)
// against a magic bias leaves n + 127 in the low mantissa bits, so 2^n is one shift, where expV
// pays for round, a saturating convert and two scalings. Results below 2^-126 (x < ln 2^-126)
// are flushed to +0, which also catches -Infinity; NaN stays NaN. Positive x is not handled.
const MAGIC_BIAS: f32 = 12583039.0; // 1.5 * 2^23 + 127
const NEG_LN2_HI: f32 = -0.693145752;
const NEG_LN2_LO: f32 = -1.42860677e-6;
const NORMAL_CUTOFF: f32 = -87.3365402;

// a * b + c: one fused instruction where relaxed SIMD is on.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline
export function expNonPositiveV(x: v128): v128 {
  let n = madd(x, f32x4.splat(LOG2E), f32x4.splat(MAGIC_BIAS));
  const s = i32x4.shl(n, 23);
  n = f32x4.sub(n, f32x4.splat(MAGIC_BIAS));
  let t = madd(n, f32x4.splat(NEG_LN2_HI), x);
  t = madd(n, f32x4.splat(NEG_LN2_LO), t);
  let p = madd(f32x4.splat(8.28929059e-3), t, f32x4.splat(4.18978222e-2));
  p = madd(p, t, f32x4.splat(1.66676521e-1));
  p = madd(p, t, f32x4.splat(4.99991506e-1));
  p = madd(p, t, f32x4.splat(9.99999702e-1));
  const y = madd(f32x4.mul(t, s), p, s);
  return v128.andnot(y, f32x4.lt(x, f32x4.splat(NORMAL_CUTOFF)));
}

const SQRT_HALF: f32 = 0.707106781186547524;
const MIN_NORMAL: f32 = 1.17549435e-38;
const TWO_POW_23: f32 = 8388608.0;

// @ts-ignore: decorator
@inline
export function logV(x: v128): v128 {
  // Subnormals are scaled into the normal range first; the exponent is corrected after.
  const sub = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_POW_23)), x, sub);
  const bits = xs;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  e = f32x4.sub(e, v128.and(sub, f32x4.splat(23)));
  // Mantissa in [0.5, 1); when below sqrt(1/2) use 2m - 1 and one less in the exponent.
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const low = f32x4.lt(m, f32x4.splat(SQRT_HALF));
  e = f32x4.sub(e, v128.and(low, f32x4.splat(1)));
  m = f32x4.sub(f32x4.add(m, v128.and(low, m)), f32x4.splat(1));
  const z = f32x4.mul(m, m);
  let p = f32x4.splat(7.0376836292e-2);
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.1514610310e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.1676998740e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.2420140846e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(1.4249322787e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-1.6668057665e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(2.0000714765e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(-2.4999993993e-1));
  p = f32x4.add(f32x4.mul(p, m), f32x4.splat(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(e, f32x4.splat(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, f32x4.splat(0.5)));
  let r = f32x4.add(f32x4.add(m, y), f32x4.mul(e, f32x4.splat(LN2_HI)));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
  const invalid = v128.or(f32x4.lt(x, f32x4.splat(0)), f32x4.ne(x, x));
  return v128.bitselect(f32x4.splat(NaN), r, invalid);
}

// @ts-ignore: decorator
@inline
export function tanhV(x: v128): v128 {
  // Near 0 an odd polynomial; elsewhere 1 - 2 / (e^(2|x|) + 1) with x's sign.
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(p, z), x));
  const ax = f32x4.abs(x);
  const e = expV(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

// @ts-ignore: decorator
@inline
export function sigmoidV(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expV(f32x4.neg(x))));
}

const GELU_K: f32 = 0.7978845608028654; // sqrt(2 / pi)
const GELU_C: f32 = 0.044715;

// 0.5 x (1 + tanh(u)) written as x * sigmoid(2u), which does not cancel for negative x.
// @ts-ignore: decorator
@inline
export function geluV(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(f32x4.splat(GELU_K), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_C), x3)));
  const e = expV(f32x4.mul(u, f32x4.splat(-2)));
  return f32x4.div(x, f32x4.add(f32x4.splat(1), e));
}
