// Single-threaded f32 GEMM in the BLIS style: B is packed into KC x NC
// blocks of NR-wide column panels, A into MC x KC blocks of MR-tall row
// panels, and an MR x NR register-blocked micro-kernel walks both packed
// panels sequentially. Pointers are byte addresses, strides are in elements.

import { microKernel, MR, NR } from './micro-kernel';

// Cache blocks: a KC x NR panel of B (8 KiB) stays in L1 while the MC x KC
// block of packed A (~96 KiB) stays in L2; NC bounds the packed B block.
// MC and NC are whole numbers of micro-tiles, so packed blocks need no more room.
const KC: i32 = 256;
const MC: i32 = MR * (96 / MR);
const NC: i32 = NR * (1024 / NR);

const PACKED_A_BYTES: i32 = MC * KC * 4;
const PACKED_B_BYTES: i32 = KC * NC * 4;
const EDGE_TILE_BYTES: i32 = MR * NR * 4;

/** Bytes of scratch that `matmul` needs at `workspace` (packed panels + one edge tile). */
export function matmulWorkspaceBytes(): i32 {
  return PACKED_A_BYTES + PACKED_B_BYTES + EDGE_TILE_BYTES;
}

/**
 * c[m, n] = a[m, k] * b[k, n]. `a` element (i, p) is at a + 4 * (i * rsa + p * csa),
 * likewise for `b`; `c` is dense row-major. `workspace` holds matmulWorkspaceBytes().
 */
export function matmul(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32,
  rsa: i32, csa: i32, rsb: i32, csb: i32, workspace: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    memory.fill(c, 0, <usize>m * <usize>n * 4);
    return;
  }
  const packedA = workspace;
  const packedB = workspace + PACKED_A_BYTES;
  const edgeTile = packedB + PACKED_B_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(b + 4 * (<usize>pc * rsb + <usize>jc * csb), rsb, csb, kc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(a + 4 * (<usize>ic * rsa + <usize>pc * csa), rsa, csa, mc, kc, packedA);
        const cBlock = c + 4 * (<usize>ic * n + jc);
        macroKernel(packedA, packedB, cBlock, mc, nc, kc, n, pc > 0, edgeTile);
      }
    }
  }
}

/** `batch` independent products; the batch strides are in elements (0 broadcasts). */
export function matmulBatched(
  a: usize, b: usize, c: usize, batch: i32, m: i32, k: i32, n: i32,
  rsa: i32, csa: i32, rsb: i32, csb: i32,
  batchStrideA: i32, batchStrideB: i32, workspace: usize,
): void {
  for (let i = 0; i < batch; i++) {
    matmul(
      a + 4 * <usize>i * batchStrideA, b + 4 * <usize>i * batchStrideB, c + 4 * <usize>i * m * n,
      m, k, n, rsa, csa, rsb, csb, workspace,
    );
  }
}

function macroKernel(
  packedA: usize, packedB: usize, c: usize, mc: i32, nc: i32, kc: i32,
  n: i32, accumulate: bool, edgeTile: usize,
): void {
  const ldc = <usize>n * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const bPanel = packedB + <usize>jr * kc * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const aPanel = packedA + <usize>ir * kc * 4;
      const cTile = c + <usize>ir * ldc + <usize>jr * 4;
      if (mr == MR && nr == NR) {
        microKernel(kc, aPanel, bPanel, cTile, ldc, accumulate);
      } else {
        microKernel(kc, aPanel, bPanel, edgeTile, NR * 4, false);
        storeEdge(edgeTile, cTile, ldc, mr, nr, accumulate);
      }
    }
  }
}

function storeEdge(tile: usize, c: usize, ldc: usize, mr: i32, nr: i32, accumulate: bool): void {
  for (let i = 0; i < mr; i++) {
    const src = tile + <usize>i * NR * 4;
    const dst = c + <usize>i * ldc;
    for (let j = 0; j < nr; j++) {
      const off = <usize>j * 4;
      const v = load<f32>(src + off);
      store<f32>(dst + off, accumulate ? load<f32>(dst + off) + v : v);
    }
  }
}

// Packs kc x nc of B into ceil(nc / NR) panels, each kc rows of NR floats,
// zero-padding the last panel's missing columns.
function packB(b: usize, rsb: i32, csb: i32, kc: i32, nc: i32, dst: usize): void {
  const fullPanels = nc / NR;
  const rowStep = <usize>rsb * 4;
  if (csb == 1) {
    for (let jp = 0; jp < fullPanels; jp++) {
      let src = b + <usize>jp * NR * 4;
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR * 4; j += 16) v128.store(dst + j, v128.load(src + j));
        src += rowStep;
        dst += NR * 4;
      }
    }
  } else {
    const colStep = <usize>csb * 4;
    for (let jp = 0; jp < fullPanels; jp++) {
      let src = b + <usize>jp * NR * colStep;
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) store<f32>(dst + <usize>j * 4, load<f32>(src + <usize>j * colStep));
        src += rowStep;
        dst += NR * 4;
      }
    }
  }
  const rest = nc - fullPanels * NR;
  if (rest == 0) return;
  const colStep = <usize>csb * 4;
  let src = b + <usize>fullPanels * NR * colStep;
  for (let p = 0; p < kc; p++) {
    for (let j = 0; j < NR; j++) {
      store<f32>(dst + <usize>j * 4, j < rest ? load<f32>(src + <usize>j * colStep) : 0);
    }
    src += rowStep;
    dst += NR * 4;
  }
}

// Packs mc x kc of A into ceil(mc / MR) panels, each kc columns of MR floats,
// zero-padding the last panel's missing rows.
function packA(a: usize, rsa: i32, csa: i32, mc: i32, kc: i32, dst: usize): void {
  const rowStep = <usize>rsa * 4;
  const colStep = <usize>csa * 4;
  for (let ip = 0; ip < mc; ip += MR) {
    const rows = min(MR, mc - ip);
    const panel = a + <usize>ip * rowStep;
    for (let p = 0; p < kc; p++) {
      const src = panel + <usize>p * colStep;
      for (let i = 0; i < MR; i++) {
        store<f32>(dst + <usize>i * 4, i < rows ? load<f32>(src + <usize>i * rowStep) : 0);
      }
      dst += MR * 4;
    }
  }
}
