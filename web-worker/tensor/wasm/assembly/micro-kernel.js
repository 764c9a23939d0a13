"use strict";
// The GEMM micro-kernel: C[MR x NR] (+)= packed A panel (kc x MR) * packed B panel (kc x NR),
// accumulating in MR * NR / 4 v128 registers. Each k step loads NR floats of B as
// vectors and broadcasts each of A's MR floats straight from memory (load32_splat).
//
// Two builds come from this file (see scripts/build-wasm.ts). V8 on x64 has 16 xmm
// registers and keeps one as scratch:
// - SIMD128 (kernels.wasm): 4 x 8, mul + add. The mul needs a temporary register, so
//   8 accumulators + 2 B + 1 A + 1 temp is what fits; 6 x 8 spilled and ran ~40% slower.
// - relaxed SIMD (kernels-relaxed.wasm): 6 x 8 with relaxed_madd, which V8 emits as one
//   FMA (no temporary): 12 accumulators + 2 B + 1 A fit, and the tile reuses each B load
//   over 6 rows instead of 4.
Object.defineProperty(exports, "__esModule", { value: true });
exports.NR = exports.MR = void 0;
exports.microKernel = microKernel;
exports.MR = ASC_FEATURE_RELAXED_SIMD ? 6 : 4;
exports.NR = 8;
// @ts-ignore: decorator
function microKernel(kc, a, b, c, ldc, accumulate) {
    if (ASC_FEATURE_RELAXED_SIMD)
        kernel6x8Fma(kc, a, b, c, ldc, accumulate);
    else
        kernel4x8(kc, a, b, c, ldc, accumulate);
}
// acc + s * b: one fused instruction where relaxed SIMD is on.
// @ts-ignore: decorator
function madd(s, b, acc) {
    if (ASC_FEATURE_RELAXED_SIMD)
        return f32x4.relaxed_madd(s, b, acc);
    return f32x4.add(acc, f32x4.mul(s, b));
}
// Writes (or adds onto) one 8-wide row of C.
// @ts-ignore: decorator
function storeRow(c, v0, v1, accumulate) {
    if (accumulate) {
        v0 = f32x4.add(v0, v128.load(c));
        v1 = f32x4.add(v1, v128.load(c, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
}
// @ts-ignore: decorator
function kernel4x8(kc, a, b, c, ldc, accumulate) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    for (let p = 0; p < kc; p++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let s = v128.load32_splat(a);
        c00 = madd(s, b0, c00);
        c01 = madd(s, b1, c01);
        s = v128.load32_splat(a, 4);
        c10 = madd(s, b0, c10);
        c11 = madd(s, b1, c11);
        s = v128.load32_splat(a, 8);
        c20 = madd(s, b0, c20);
        c21 = madd(s, b1, c21);
        s = v128.load32_splat(a, 12);
        c30 = madd(s, b0, c30);
        c31 = madd(s, b1, c31);
        a += 16;
        b += 32;
    }
    storeRow(c, c00, c01, accumulate);
    storeRow(c + ldc, c10, c11, accumulate);
    storeRow(c + 2 * ldc, c20, c21, accumulate);
    storeRow(c + 3 * ldc, c30, c31, accumulate);
}
// @ts-ignore: decorator
function kernel6x8Fma(kc, a, b, c, ldc, accumulate) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
    let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
    let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
    for (let p = 0; p < kc; p++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        let s = v128.load32_splat(a);
        c00 = madd(s, b0, c00);
        c01 = madd(s, b1, c01);
        s = v128.load32_splat(a, 4);
        c10 = madd(s, b0, c10);
        c11 = madd(s, b1, c11);
        s = v128.load32_splat(a, 8);
        c20 = madd(s, b0, c20);
        c21 = madd(s, b1, c21);
        s = v128.load32_splat(a, 12);
        c30 = madd(s, b0, c30);
        c31 = madd(s, b1, c31);
        s = v128.load32_splat(a, 16);
        c40 = madd(s, b0, c40);
        c41 = madd(s, b1, c41);
        s = v128.load32_splat(a, 20);
        c50 = madd(s, b0, c50);
        c51 = madd(s, b1, c51);
        a += 24;
        b += 32;
    }
    storeRow(c, c00, c01, accumulate);
    storeRow(c + ldc, c10, c11, accumulate);
    storeRow(c + 2 * ldc, c20, c21, accumulate);
    storeRow(c + 3 * ldc, c30, c31, accumulate);
    storeRow(c + 4 * ldc, c40, c41, accumulate);
    storeRow(c + 5 * ldc, c50, c51, accumulate);
}
