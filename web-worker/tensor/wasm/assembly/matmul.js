"use strict";
// Single-threaded f32 GEMM in the BLIS style: B is packed into KC x NC
// blocks of NR-wide column panels, A into MC x KC blocks of MR-tall row
// panels, and an MR x NR register-blocked micro-kernel walks both packed
// panels sequentially. Pointers are byte addresses, strides are in elements.
Object.defineProperty(exports, "__esModule", { value: true });
exports.matmulWorkspaceBytes = matmulWorkspaceBytes;
exports.matmul = matmul;
exports.matmulBatched = matmulBatched;
const micro_kernel_1 = require("./micro-kernel");
// Cache blocks: a KC x NR panel of B (8 KiB) stays in L1 while the MC x KC
// block of packed A (~96 KiB) stays in L2; NC bounds the packed B block.
// MC and NC are whole numbers of micro-tiles, so packed blocks need no more room.
const KC = 256;
const MC = micro_kernel_1.MR * (96 / micro_kernel_1.MR);
const NC = micro_kernel_1.NR * (1024 / micro_kernel_1.NR);
const PACKED_A_BYTES = MC * KC * 4;
const PACKED_B_BYTES = KC * NC * 4;
const EDGE_TILE_BYTES = micro_kernel_1.MR * micro_kernel_1.NR * 4;
/** Bytes of scratch that `matmul` needs at `workspace` (packed panels + one edge tile). */
function matmulWorkspaceBytes() {
    return PACKED_A_BYTES + PACKED_B_BYTES + EDGE_TILE_BYTES;
}
/**
 * c[m, n] = a[m, k] * b[k, n]. `a` element (i, p) is at a + 4 * (i * rsa + p * csa),
 * likewise for `b`; `c` is dense row-major. `workspace` holds matmulWorkspaceBytes().
 */
function matmul(a, b, c, m, k, n, rsa, csa, rsb, csb, workspace) {
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) {
        memory.fill(c, 0, m * n * 4);
        return;
    }
    const packedA = workspace;
    const packedB = workspace + PACKED_A_BYTES;
    const edgeTile = packedB + PACKED_B_BYTES;
    for (let jc = 0; jc < n; jc += NC) {
        const nc = min(NC, n - jc);
        for (let pc = 0; pc < k; pc += KC) {
            const kc = min(KC, k - pc);
            packB(b + 4 * (pc * rsb + jc * csb), rsb, csb, kc, nc, packedB);
            for (let ic = 0; ic < m; ic += MC) {
                const mc = min(MC, m - ic);
                packA(a + 4 * (ic * rsa + pc * csa), rsa, csa, mc, kc, packedA);
                const cBlock = c + 4 * (ic * n + jc);
                macroKernel(packedA, packedB, cBlock, mc, nc, kc, n, pc > 0, edgeTile);
            }
        }
    }
}
/** `batch` independent products; the batch strides are in elements (0 broadcasts). */
function matmulBatched(a, b, c, batch, m, k, n, rsa, csa, rsb, csb, batchStrideA, batchStrideB, workspace) {
    for (let i = 0; i < batch; i++) {
        matmul(a + 4 * i * batchStrideA, b + 4 * i * batchStrideB, c + 4 * i * m * n, m, k, n, rsa, csa, rsb, csb, workspace);
    }
}
function macroKernel(packedA, packedB, c, mc, nc, kc, n, accumulate, edgeTile) {
    const ldc = n * 4;
    for (let jr = 0; jr < nc; jr += micro_kernel_1.NR) {
        const nr = min(micro_kernel_1.NR, nc - jr);
        const bPanel = packedB + jr * kc * 4;
        for (let ir = 0; ir < mc; ir += micro_kernel_1.MR) {
            const mr = min(micro_kernel_1.MR, mc - ir);
            const aPanel = packedA + ir * kc * 4;
            const cTile = c + ir * ldc + jr * 4;
            if (mr == micro_kernel_1.MR && nr == micro_kernel_1.NR) {
                (0, micro_kernel_1.microKernel)(kc, aPanel, bPanel, cTile, ldc, accumulate);
            }
            else {
                (0, micro_kernel_1.microKernel)(kc, aPanel, bPanel, edgeTile, micro_kernel_1.NR * 4, false);
                storeEdge(edgeTile, cTile, ldc, mr, nr, accumulate);
            }
        }
    }
}
function storeEdge(tile, c, ldc, mr, nr, accumulate) {
    for (let i = 0; i < mr; i++) {
        const src = tile + i * micro_kernel_1.NR * 4;
        const dst = c + i * ldc;
        for (let j = 0; j < nr; j++) {
            const off = j * 4;
            const v = load(src + off);
            store(dst + off, accumulate ? load(dst + off) + v : v);
        }
    }
}
// Packs kc x nc of B into ceil(nc / NR) panels, each kc rows of NR floats,
// zero-padding the last panel's missing columns.
function packB(b, rsb, csb, kc, nc, dst) {
    const fullPanels = nc / micro_kernel_1.NR;
    const rowStep = rsb * 4;
    if (csb == 1) {
        for (let jp = 0; jp < fullPanels; jp++) {
            let src = b + jp * micro_kernel_1.NR * 4;
            for (let p = 0; p < kc; p++) {
                for (let j = 0; j < micro_kernel_1.NR * 4; j += 16)
                    v128.store(dst + j, v128.load(src + j));
                src += rowStep;
                dst += micro_kernel_1.NR * 4;
            }
        }
    }
    else {
        const colStep = csb * 4;
        for (let jp = 0; jp < fullPanels; jp++) {
            let src = b + jp * micro_kernel_1.NR * colStep;
            for (let p = 0; p < kc; p++) {
                for (let j = 0; j < micro_kernel_1.NR; j++)
                    store(dst + j * 4, load(src + j * colStep));
                src += rowStep;
                dst += micro_kernel_1.NR * 4;
            }
        }
    }
    const rest = nc - fullPanels * micro_kernel_1.NR;
    if (rest == 0)
        return;
    const colStep = csb * 4;
    let src = b + fullPanels * micro_kernel_1.NR * colStep;
    for (let p = 0; p < kc; p++) {
        for (let j = 0; j < micro_kernel_1.NR; j++) {
            store(dst + j * 4, j < rest ? load(src + j * colStep) : 0);
        }
        src += rowStep;
        dst += micro_kernel_1.NR * 4;
    }
}
// Packs mc x kc of A into ceil(mc / MR) panels, each kc columns of MR floats,
// zero-padding the last panel's missing rows.
function packA(a, rsa, csa, mc, kc, dst) {
    const rowStep = rsa * 4;
    const colStep = csa * 4;
    for (let ip = 0; ip < mc; ip += micro_kernel_1.MR) {
        const rows = min(micro_kernel_1.MR, mc - ip);
        const panel = a + ip * rowStep;
        for (let p = 0; p < kc; p++) {
            const src = panel + p * colStep;
            for (let i = 0; i < micro_kernel_1.MR; i++) {
                store(dst + i * 4, i < rows ? load(src + i * rowStep) : 0);
            }
            dst += micro_kernel_1.MR * 4;
        }
    }
}
