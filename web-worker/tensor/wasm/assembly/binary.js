"use strict";
// Element-wise binary ops: a contiguous same-shape path and a strided one for
// broadcasting. The op codes are mirrored in ../ops.ts.
Object.defineProperty(exports, "__esModule", { value: true });
exports.MAX_RANK = exports.DIV = exports.MUL = exports.SUB = exports.ADD = void 0;
exports.binary = binary;
exports.binaryStrided = binaryStrided;
exports.ADD = 0;
exports.SUB = 1;
exports.MUL = 2;
exports.DIV = 3;
/** Most dimensions `binaryStrided` takes; the host merges dimensions to stay under it. */
exports.MAX_RANK = 8;
const counters = memory.data(exports.MAX_RANK * 4, 16);
// @ts-ignore: decorator
function applyV(op, a, b) {
    switch (op) {
        case exports.ADD: return f32x4.add(a, b);
        case exports.SUB: return f32x4.sub(a, b);
        case exports.MUL: return f32x4.mul(a, b);
        default: return f32x4.div(a, b);
    }
}
// @ts-ignore: decorator
function applyS(op, a, b) {
    switch (op) {
        case exports.ADD: return a + b;
        case exports.SUB: return a - b;
        case exports.MUL: return a * b;
        default: return a / b;
    }
}
// out[i] = a[i * sa] op b[i * sb] for i < n; strides in elements. Vectorised when
// each stride is 0 (broadcast) or 1 (contiguous), which is what broadcasting produces.
// @ts-ignore: decorator
function binaryRow(op, a, sa, b, sb, out, n) {
    let i = 0;
    if (sa == 1 && sb == 1) {
        for (; i + 4 <= n; i += 4) {
            const off = i << 2;
            v128.store(out + off, applyV(op, v128.load(a + off), v128.load(b + off)));
        }
    }
    else if (sa == 0 && sb == 1) {
        const va = v128.load32_splat(a);
        for (; i + 4 <= n; i += 4) {
            const off = i << 2;
            v128.store(out + off, applyV(op, va, v128.load(b + off)));
        }
    }
    else if (sa == 1 && sb == 0) {
        const vb = v128.load32_splat(b);
        for (; i + 4 <= n; i += 4) {
            const off = i << 2;
            v128.store(out + off, applyV(op, v128.load(a + off), vb));
        }
    }
    for (; i < n; i++) {
        const x = load(a + ((i * sa) << 2));
        const y = load(b + ((i * sb) << 2));
        store(out + (i << 2), applyS(op, x, y));
    }
}
// One function per op, each inlining the loop with a constant op so that no
// switch is left inside it.
function addRow(a, sa, b, sb, out, n) { binaryRow(exports.ADD, a, sa, b, sb, out, n); }
function subRow(a, sa, b, sb, out, n) { binaryRow(exports.SUB, a, sa, b, sb, out, n); }
function mulRow(a, sa, b, sb, out, n) { binaryRow(exports.MUL, a, sa, b, sb, out, n); }
function divRow(a, sa, b, sb, out, n) { binaryRow(exports.DIV, a, sa, b, sb, out, n); }
// @ts-ignore: decorator
function opRow(op, a, sa, b, sb, out, n) {
    switch (op) {
        case exports.ADD:
            addRow(a, sa, b, sb, out, n);
            break;
        case exports.SUB:
            subRow(a, sa, b, sb, out, n);
            break;
        case exports.MUL:
            mulRow(a, sa, b, sb, out, n);
            break;
        default:
            divRow(a, sa, b, sb, out, n);
            break;
    }
}
/** out[i] = a[i] op b[i] for n values; `out` may be `a` or `b`. */
function binary(op, a, b, out, n) {
    opRow(op, a, 1, b, 1, out, n);
}
// Rows are dispatched by op one at a time, which costs little next to a row's work.
function stridedLoop(op, a, b, out, rank, shape, stridesA, stridesB) {
    const last = (rank - 1) << 2;
    const inner = load(shape + last);
    const innerA = load(stridesA + last);
    const innerB = load(stridesB + last);
    let rows = 1;
    for (let d = 0; d < rank - 1; d++)
        rows *= load(shape + (d << 2));
    memory.fill(counters, 0, exports.MAX_RANK * 4);
    let offA = 0;
    let offB = 0;
    for (let row = 0; row < rows; row++) {
        opRow(op, a + (offA << 2), innerA, b + (offB << 2), innerB, out + ((row * inner) << 2), inner);
        // Advance the multi-index over the outer dimensions like an odometer.
        for (let d = rank - 2; d >= 0; d--) {
            const at = d << 2;
            const count = load(counters + at) + 1;
            offA += load(stridesA + at);
            offB += load(stridesB + at);
            if (count < load(shape + at)) {
                store(counters + at, count);
                break;
            }
            store(counters + at, 0);
            offA -= load(stridesA + at) * count;
            offB -= load(stridesB + at) * count;
        }
    }
}
/**
 * out (dense, row-major, `rank` dimensions given as i32 at `shape`) = a op b, where
 * element (i0, .., ir) of a is at a + 4 * sum(i_d * stridesA[d]) (strides as i32,
 * in elements, 0 for a broadcast dimension), likewise for b. 1 <= rank <= MAX_RANK.
 */
function binaryStrided(op, a, b, out, rank, shape, stridesA, stridesB) {
    stridedLoop(op, a, b, out, rank, shape, stridesA, stridesB);
}
