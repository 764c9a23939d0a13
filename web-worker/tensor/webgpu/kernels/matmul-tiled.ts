/**
 * Matmul for real GPUs: a workgroup of 16x16 invocations computes a 64x64 tile of C, staging
 * 64x16 slices of A and 16x64 slices of B through workgroup memory (so each element of A and B
 * is read from storage once per tile, coalesced), and each invocation keeps a 4x4 block of C in
 * registers, reading the staged slices as vec4s. Any size and layout: loads outside A or B read
 * zero and stores outside C are skipped, in the kernel.
 */
import type { MatmulParams } from '../../../../shared/tensor/index.js';
import { type KernelLaunch, MAX_WORKGROUPS_PER_DIMENSION, packUniforms } from './launch.js';

const THREADS = 16;
const BLOCK = 4;
const TILE = THREADS * BLOCK;
const DEPTH = 16;
/** Elements each invocation moves into one staged slice. */
const LOADS = (TILE * DEPTH) / (THREADS * THREADS);

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/**
 * The workgroup-tiled, register-blocked matmul.
 * @example tiledMatmulLaunch({ batch: 3, m: 17, k: 33, n: 5, aBatchStride: 561, bBatchStride: 165, transposeA: false, transposeB: false }).workgroups // [1, 1, 3]
 */
export function tiledMatmulLaunch(params: MatmulParams): KernelLaunch {
  return {
    key: `matmul:tiled:${params.transposeA ? 'T' : 'N'}${params.transposeB ? 'T' : 'N'}`,
    uniforms: packUniforms([params.m, params.k, params.n, params.batch, params.aBatchStride, params.bBatchStride]),
    workgroups: [Math.ceil(params.n / TILE), Math.ceil(params.m / TILE), Math.min(params.batch, MAX_WORKGROUPS_PER_DIMENSION)],
    source: () => tiledSource(params.transposeA, params.transposeB),
  };
}

/**
 * Staging loads walk the operand's contiguous axis with consecutive invocations: along k for a
 * row-major A, along m for a transposed one (and likewise n / k for B).
 */
function tiledSource(transposeA: boolean, transposeB: boolean): string {
  const stageA = (load: number): string => {
    const [rowExpr, depthExpr] = transposeA ? [`e % ${TILE}u`, `e / ${TILE}u`] : [`e / ${DEPTH}u`, `e % ${DEPTH}u`];
    const index = transposeA ? 'gk * params.m + gr' : 'gr * params.k + gk';
    return `{
      let e = local + ${load * THREADS * THREADS}u;
      let r = ${rowExpr};
      let d = ${depthExpr};
      let gr = row0 + r;
      let gk = k0 + d;
      var v = 0.0;
      if (gr < params.m && gk < params.k) { v = a[aBase + ${index}]; }
      tileA[d * ${TILE / 4}u + r / 4u][r % 4u] = v;
    }`;
  };
  const stageB = (load: number): string => {
    const [colExpr, depthExpr] = transposeB ? [`e / ${DEPTH}u`, `e % ${DEPTH}u`] : [`e % ${TILE}u`, `e / ${TILE}u`];
    const index = transposeB ? 'gc * params.k + gk' : 'gk * params.n + gc';
    return `{
      let e = local + ${load * THREADS * THREADS}u;
      let cc = ${colExpr};
      let d = ${depthExpr};
      let gc = col0 + cc;
      let gk = k0 + d;
      var v = 0.0;
      if (gc < params.n && gk < params.k) { v = b[bBase + ${index}]; }
      tileB[d * ${TILE / 4}u + cc / 4u][cc % 4u] = v;
    }`;
  };
  return /* wgsl */ `
struct Params { m: u32, k: u32, n: u32, batch: u32, aBatchStride: u32, bBatchStride: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// Slices of A and B, depth-major: element [d][4 rows or columns] is one vec4.
var<workgroup> tileA: array<vec4<f32>, ${(DEPTH * TILE) / 4}>;
var<workgroup> tileB: array<vec4<f32>, ${(DEPTH * TILE) / 4}>;
@compute @workgroup_size(${THREADS}, ${THREADS})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) local: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  for (var batch = wid.z; batch < params.batch; batch += groups.z) {
    let aBase = batch * params.aBatchStride;
    let bBase = batch * params.bBatchStride;
    ${range(BLOCK).map((i) => `var acc${i} = vec4<f32>();`).join(' ')}
    for (var k0 = 0u; k0 < params.k; k0 += ${DEPTH}u) {
      ${range(LOADS).map(stageA).join('\n      ')}
      ${range(LOADS).map(stageB).join('\n      ')}
      workgroupBarrier();
      for (var d = 0u; d < ${DEPTH}u; d++) {
        let av = tileA[d * ${TILE / 4}u + lid.y];
        let bv = tileB[d * ${TILE / 4}u + lid.x];
        ${range(BLOCK).map((i) => `acc${i} = fma(vec4<f32>(av[${i}]), bv, acc${i});`).join('\n        ')}
      }
      workgroupBarrier();
    }
    let cBase = batch * params.m * params.n;
    let r0 = row0 + lid.y * ${BLOCK}u;
    let c0 = col0 + lid.x * ${BLOCK}u;
    ${range(BLOCK)
      .map(
        (i) => `if (r0 + ${i}u < params.m) {
      ${range(BLOCK).map((j) => `if (c0 + ${j}u < params.n) { c[cBase + (r0 + ${i}u) * params.n + c0 + ${j}u] = acc${i}[${j}]; }`).join('\n      ')}
    }`,
      )
      .join('\n    ')}
  }
}`;
}
