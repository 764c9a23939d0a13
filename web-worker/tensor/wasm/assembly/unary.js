"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.NEG = exports.SIGMOID = exports.TANH = exports.LOG = exports.EXP = exports.GELU = exports.RELU = void 0;
exports.unary = unary;
// Element-wise unary ops over n contiguous f32. The op codes are mirrored in ../ops.ts.
const simd_math_1 = require("./simd-math");
exports.RELU = 0;
exports.GELU = 1;
exports.EXP = 2;
exports.LOG = 3;
exports.TANH = 4;
exports.SIGMOID = 5;
exports.NEG = 6;
// @ts-ignore: decorator
function applyUnary(op, x) {
    switch (op) {
        case exports.RELU: return f32x4.max(x, f32x4.splat(0));
        case exports.GELU: return (0, simd_math_1.geluV)(x);
        case exports.EXP: return (0, simd_math_1.expV)(x);
        case exports.LOG: return (0, simd_math_1.logV)(x);
        case exports.TANH: return (0, simd_math_1.tanhV)(x);
        case exports.SIGMOID: return (0, simd_math_1.sigmoidV)(x);
        default: return f32x4.neg(x);
    }
}
// The last n % 4 values go through the same vector code, so every element is computed alike.
// @ts-ignore: decorator
function unaryLoop(op, x, out, n) {
    const end = x + ((n & ~3) << 2);
    while (x < end) {
        v128.store(out, applyUnary(op, v128.load(x)));
        x += 16;
        out += 16;
    }
    const rest = n & 3;
    if (rest == 0)
        return;
    let v = f32x4.splat(0);
    v = f32x4.replace_lane(v, 0, load(x));
    if (rest > 1)
        v = f32x4.replace_lane(v, 1, load(x, 4));
    if (rest > 2)
        v = f32x4.replace_lane(v, 2, load(x, 8));
    v = applyUnary(op, v);
    store(out, f32x4.extract_lane(v, 0));
    if (rest > 1)
        store(out, f32x4.extract_lane(v, 1), 4);
    if (rest > 2)
        store(out, f32x4.extract_lane(v, 2), 8);
}
// One function per op: each inlines unaryLoop with a constant op, so its loop has no switch.
function reluLoop(x, out, n) { unaryLoop(exports.RELU, x, out, n); }
function geluLoop(x, out, n) { unaryLoop(exports.GELU, x, out, n); }
function expLoop(x, out, n) { unaryLoop(exports.EXP, x, out, n); }
function logLoop(x, out, n) { unaryLoop(exports.LOG, x, out, n); }
function tanhLoop(x, out, n) { unaryLoop(exports.TANH, x, out, n); }
function sigmoidLoop(x, out, n) { unaryLoop(exports.SIGMOID, x, out, n); }
function negLoop(x, out, n) { unaryLoop(exports.NEG, x, out, n); }
/** out[i] = op(x[i]) for n values; `out` may be `x`. */
function unary(op, x, out, n) {
    switch (op) {
        case exports.RELU:
            reluLoop(x, out, n);
            break;
        case exports.GELU:
            geluLoop(x, out, n);
            break;
        case exports.EXP:
            expLoop(x, out, n);
            break;
        case exports.LOG:
            logLoop(x, out, n);
            break;
        case exports.TANH:
            tanhLoop(x, out, n);
            break;
        case exports.SIGMOID:
            sigmoidLoop(x, out, n);
            break;
        default:
            negLoop(x, out, n);
            break;
    }
}
