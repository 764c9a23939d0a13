"use strict";
// out[cols, rows] = transpose of x[rows, cols], in 32 x 32 tiles (so both
// sides stay in cache) made of 4 x 4 blocks transposed in registers. Within a
// tile the blocks go down x's columns, so each output row is written
// sequentially: with power-of-two row lengths the other order ran 4x slower
// (stores and loads 4 KiB apart alias).
Object.defineProperty(exports, "__esModule", { value: true });
exports.transpose = transpose;
const TILE = 32;
// @ts-ignore: decorator
function block4x4(x, ldx, out, ldo) {
    const r0 = v128.load(x);
    const r1 = v128.load(x + ldx);
    const r2 = v128.load(x + 2 * ldx);
    const r3 = v128.load(x + 3 * ldx);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    v128.store(out, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
    v128.store(out + ldo, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
    v128.store(out + 2 * ldo, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
    v128.store(out + 3 * ldo, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}
function tile(x, out, rows, cols, i0, j0) {
    const ldx = cols << 2;
    const ldo = rows << 2;
    const i1 = min(i0 + TILE, rows);
    const j1 = min(j0 + TILE, cols);
    const iFull = i0 + ((i1 - i0) & ~3);
    const jFull = j0 + ((j1 - j0) & ~3);
    for (let j = j0; j < jFull; j += 4) {
        for (let i = i0; i < iFull; i += 4) {
            block4x4(x + i * ldx + (j << 2), ldx, out + j * ldo + (i << 2), ldo);
        }
    }
    for (let i = i0; i < i1; i++) {
        for (let j = i < iFull ? jFull : j0; j < j1; j++) {
            store(out + j * ldo + (i << 2), load(x + i * ldx + (j << 2)));
        }
    }
}
/** out[j, i] = x[i, j] for a dense row-major x of rows x cols; `out` must not overlap `x`. */
function transpose(x, out, rows, cols) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
        for (let j0 = 0; j0 < cols; j0 += TILE)
            tile(x, out, rows, cols, i0, j0);
    }
}
