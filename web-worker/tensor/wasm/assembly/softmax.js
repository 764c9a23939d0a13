"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.softmax = softmax;
// Softmax along the last axis of a dense [rows, cols] array.
const simd_math_1 = require("./simd-math");
const reduce_1 = require("./reduce");
// out[j] = exp(x[j] - m) for n values; returns their sum. The tail runs through
// the vector exp too, with the unused lanes kept out of the sum.
function expShiftedRow(x, out, n, m) {
    const shift = f32x4.splat(m);
    let sum = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
        const off = i << 2;
        const e = (0, simd_math_1.expV)(f32x4.sub(v128.load(x + off), shift));
        v128.store(out + off, e);
        sum = f32x4.add(sum, e);
    }
    let total = f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1)
        + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
    for (; i < n; i++) {
        const off = i << 2;
        const e = f32x4.extract_lane((0, simd_math_1.expV)(f32x4.splat(load(x + off) - m)), 0);
        store(out + off, e);
        total += e;
    }
    return total;
}
function scaleRow(out, n, s) {
    const vs = f32x4.splat(s);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
        const off = i << 2;
        v128.store(out + off, f32x4.mul(v128.load(out + off), vs));
    }
    for (; i < n; i++) {
        const off = i << 2;
        store(out + off, load(out + off) * s);
    }
}
/** out[r, :] = exp(x[r, :] - max) / sum(exp(x[r, :] - max)); `out` may be `x`. */
function softmax(x, out, rows, cols) {
    const rowBytes = cols << 2;
    for (let r = 0; r < rows; r++) {
        const src = x + r * rowBytes;
        const dst = out + r * rowBytes;
        const total = expShiftedRow(src, dst, cols, (0, reduce_1.rowMax)(src, cols));
        scaleRow(dst, cols, 1 / total);
    }
}
