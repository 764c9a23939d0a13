"use strict";
// Reductions of a dense [outer, axis, inner] array along its middle axis
// (inner == 1 is the last axis). The op codes are mirrored in ../ops.ts.
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX = exports.MEAN = exports.SUM = void 0;
exports.rowMax = rowMax;
exports.reduce = reduce;
exports.SUM = 0;
exports.MEAN = 1;
exports.MAX = 2;
// @ts-ignore: decorator
function combineV(op, a, b) {
    return op == exports.MAX ? f32x4.max(a, b) : f32x4.add(a, b);
}
// @ts-ignore: decorator
function combineS(op, a, b) {
    return op == exports.MAX ? max(a, b) : a + b;
}
// @ts-ignore: decorator
function horizontal(op, v) {
    const lo = combineS(op, f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1));
    const hi = combineS(op, f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3));
    return combineS(op, lo, hi);
}
// Four vector accumulators (16 lanes) hide the add latency and, for sums,
// keep partial sums smaller than one running total would.
// @ts-ignore: decorator
function reduceRow(op, x, n) {
    const identity = op == exports.MAX ? -Infinity : 0;
    let acc0 = f32x4.splat(identity), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    let i = 0;
    for (; i + 16 <= n; i += 16) {
        const p = x + (i << 2);
        acc0 = combineV(op, acc0, v128.load(p));
        acc1 = combineV(op, acc1, v128.load(p, 16));
        acc2 = combineV(op, acc2, v128.load(p, 32));
        acc3 = combineV(op, acc3, v128.load(p, 48));
    }
    for (; i + 4 <= n; i += 4)
        acc0 = combineV(op, acc0, v128.load(x + (i << 2)));
    let r = horizontal(op, combineV(op, combineV(op, acc0, acc1), combineV(op, acc2, acc3)));
    for (; i < n; i++)
        r = combineS(op, r, load(x + (i << 2)));
    return op == exports.MEAN ? r / n : r;
}
/** Max of n contiguous values (-Infinity when n == 0, NaN if any is NaN). */
function rowMax(x, n) {
    return reduceRow(exports.MAX, x, n);
}
// out[o, i] = op over a of x[o, a, i], vectorised along the contiguous inner axis.
// @ts-ignore: decorator
function reduceMiddleLoop(op, x, out, outer, axis, inner) {
    const rowBytes = inner << 2;
    const identity = op == exports.MAX ? -Infinity : 0;
    for (let o = 0; o < outer; o++) {
        const dst = out + o * rowBytes;
        const src = x + o * axis * rowBytes;
        if (axis == 0) {
            for (let i = 0; i < inner; i++)
                store(dst + (i << 2), op == exports.MEAN ? NaN : identity);
            continue;
        }
        memory.copy(dst, src, rowBytes);
        for (let a = 1; a < axis; a++) {
            const row = src + a * rowBytes;
            let i = 0;
            for (; i + 4 <= inner; i += 4) {
                const off = i << 2;
                v128.store(dst + off, combineV(op, v128.load(dst + off), v128.load(row + off)));
            }
            for (; i < inner; i++) {
                const off = i << 2;
                store(dst + off, combineS(op, load(dst + off), load(row + off)));
            }
        }
        if (op == exports.MEAN) {
            const scale = f32x4.splat(1 / axis);
            let i = 0;
            for (; i + 4 <= inner; i += 4) {
                const off = i << 2;
                v128.store(dst + off, f32x4.mul(v128.load(dst + off), scale));
            }
            for (; i < inner; i++) {
                const off = i << 2;
                store(dst + off, load(dst + off) / axis);
            }
        }
    }
}
// @ts-ignore: decorator
function reduceLastLoop(op, x, out, outer, axis) {
    const rowBytes = axis << 2;
    for (let o = 0; o < outer; o++) {
        store(out + (o << 2), reduceRow(op, x + o * rowBytes, axis));
    }
}
function sumLast(x, out, outer, axis) { reduceLastLoop(exports.SUM, x, out, outer, axis); }
function meanLast(x, out, outer, axis) { reduceLastLoop(exports.MEAN, x, out, outer, axis); }
function maxLast(x, out, outer, axis) { reduceLastLoop(exports.MAX, x, out, outer, axis); }
function sumMiddle(x, out, outer, axis, inner) { reduceMiddleLoop(exports.SUM, x, out, outer, axis, inner); }
function meanMiddle(x, out, outer, axis, inner) { reduceMiddleLoop(exports.MEAN, x, out, outer, axis, inner); }
function maxMiddle(x, out, outer, axis, inner) { reduceMiddleLoop(exports.MAX, x, out, outer, axis, inner); }
/**
 * out[outer, inner] = op over the middle axis of x[outer, axis, inner].
 * Sum of nothing is 0, max of nothing -Infinity, mean of nothing NaN.
 */
function reduce(op, x, out, outer, axis, inner) {
    if (inner == 1) {
        if (op == exports.SUM)
            sumLast(x, out, outer, axis);
        else if (op == exports.MEAN)
            meanLast(x, out, outer, axis);
        else
            maxLast(x, out, outer, axis);
    }
    else if (op == exports.SUM)
        sumMiddle(x, out, outer, axis, inner);
    else if (op == exports.MEAN)
        meanMiddle(x, out, outer, axis, inner);
    else
        maxMiddle(x, out, outer, axis, inner);
}
