/**
 * Matmul for CPU-emulated adapters (SwiftShader), reading A and B straight from storage with no
 * workgroup memory. There every load from a computed address is a per-lane gather and
 * workgroup memory is no faster than storage, so what pays is many multiply-adds per load:
 * each invocation keeps a 16x16 block of C (vec4 loads, 16 multiply-adds per loaded vec4), or
 * 8x8 with scalar loads for transposed or unaligned operands. Staging tiles through workgroup
 * memory (`matmul-tiled`) measured ~40% slower per core here; `matmul-subgroup` is faster
 * still where subgroups allow. Edges are handled in the kernel: loads clamp their row/column
 * into range and stores are bounds-checked.
 */
import type { MatmulParams } from '../../../../shared/tensor/index.js';
import { type KernelLaunch, MAX_WORKGROUPS_PER_DIMENSION, packUniforms } from './launch.js';

const THREADS_X = 8;
const THREADS_Y = 8;
/** Rows and columns of C per invocation in the vec4 variant (the scalar one takes half). */
const BLOCK = 16;

const COMPONENTS = ['x', 'y', 'z', 'w'] as const;
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/** True when the vec4 variant applies: row-major operands whose rows are whole vec4s. */
export function directVec4Applies(params: MatmulParams): boolean {
  return !params.transposeA && !params.transposeB && params.k % 4 === 0 && params.n % 4 === 0;
}

/**
 * The register-blocked matmul without workgroup memory: vec4 loads when `directVec4Applies`,
 * scalar loads (any layout, any size) otherwise.
 * @example directMatmulLaunch({ batch: 1, m: 1024, k: 1024, n: 1024, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false }).workgroups // [8, 8, 1]
 */
export function directMatmulLaunch(params: MatmulParams): KernelLaunch {
  const vec4 = directVec4Applies(params);
  const tile = (vec4 ? BLOCK : BLOCK / 2) * THREADS_X;
  const layout = `${params.transposeA ? 'T' : 'N'}${params.transposeB ? 'T' : 'N'}`;
  return {
    key: vec4 ? 'matmul:direct:vec4' : `matmul:direct:scalar:${layout}`,
    uniforms: packUniforms([params.m, params.k, params.n, params.batch, params.aBatchStride, params.bBatchStride]),
    workgroups: [Math.ceil(params.n / tile), Math.ceil(params.m / tile), Math.min(params.batch, MAX_WORKGROUPS_PER_DIMENSION)],
    source: () => (vec4 ? vec4Source() : scalarSource(params.transposeA, params.transposeB)),
  };
}

const HEADER = (element: string): string => /* wgsl */ `
struct Params { m: u32, k: u32, n: u32, batch: u32, aBatchStride: u32, bBatchStride: u32 }
@group(0) @binding(0) var<storage, read> a: array<${element}>;
@group(0) @binding(1) var<storage, read> b: array<${element}>;
@group(0) @binding(2) var<storage, read_write> c: array<${element}>;
@group(0) @binding(3) var<uniform> params: Params;
@compute @workgroup_size(${THREADS_X}, ${THREADS_Y})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {`;

function vec4Source(): string {
  const columns = BLOCK / 4;
  const accumulators = range(BLOCK).flatMap((i) => range(columns).map((j) => `acc${i}_${j}`));
  return /* wgsl */ `${HEADER('vec4<f32>')}
  let k4 = params.k / 4u;
  let n4 = params.n / 4u;
  let row0 = wid.y * ${BLOCK * THREADS_Y}u + lid.y * ${BLOCK}u;
  let col0 = wid.x * ${(BLOCK * THREADS_X) / 4}u + lid.x * ${columns}u;
  for (var batch = wid.z; batch < params.batch; batch += groups.z) {
    let aBase = batch * (params.aBatchStride / 4u);
    let bBase = batch * (params.bBatchStride / 4u);
    let cBase = batch * params.m * n4;
    ${accumulators.map((name) => `var ${name} = vec4<f32>();`).join(' ')}
    ${range(BLOCK).map((i) => `let aRow${i} = aBase + min(row0 + ${i}u, params.m - 1u) * k4;`).join('\n    ')}
    ${range(columns).map((j) => `let bCol${j} = bBase + min(col0 + ${j}u, n4 - 1u);`).join('\n    ')}
    for (var kk = 0u; kk < k4; kk++) {
      ${range(BLOCK).map((i) => `let a${i} = a[aRow${i} + kk];`).join(' ')}
      ${range(4)
        .map(
          (q) => `{
        let bRow = (kk * 4u + ${q}u) * n4;
        ${range(columns).map((j) => `let b${j} = b[bCol${j} + bRow];`).join(' ')}
        ${range(BLOCK)
          .map((i) => range(columns).map((j) => `acc${i}_${j} += a${i}.${COMPONENTS[q]} * b${j};`).join(' '))
          .join('\n        ')}
      }`,
        )
        .join('\n      ')}
    }
    ${range(BLOCK)
      .map(
        (i) => `if (row0 + ${i}u < params.m) {
      ${range(columns).map((j) => `if (col0 + ${j}u < n4) { c[cBase + (row0 + ${i}u) * n4 + col0 + ${j}u] = acc${i}_${j}; }`).join('\n      ')}
    }`,
      )
      .join('\n    ')}
  }
}`;
}

/** Scalar loads; consecutive invocations take consecutive rows/columns (a stride of 8 inside the block). */
function scalarSource(transposeA: boolean, transposeB: boolean): string {
  const block = BLOCK / 2;
  const unroll = 4;
  const aIndex = (row: string, k: string): string => (transposeA ? `${k} * params.m + ${row}` : `${row} * params.k + ${k}`);
  const bIndex = (k: string, col: string): string => (transposeB ? `${col} * params.k + ${k}` : `${k} * params.n + ${col}`);
  const step = (k: string): string => `{
        ${range(block).map((i) => `let a${i} = a[aBase + ${aIndex(`aRow${i}`, k)}];`).join(' ')}
        ${range(block).map((j) => `let b${j} = b[bBase + ${bIndex(k, `bCol${j}`)}];`).join(' ')}
        ${range(block)
          .map((i) => range(block).map((j) => `acc${i}_${j} += a${i} * b${j};`).join(' '))
          .join('\n        ')}
      }`;
  return /* wgsl */ `${HEADER('f32')}
  let row0 = wid.y * ${block * THREADS_Y}u + lid.y;
  let col0 = wid.x * ${block * THREADS_X}u + lid.x;
  for (var batch = wid.z; batch < params.batch; batch += groups.z) {
    let aBase = batch * params.aBatchStride;
    let bBase = batch * params.bBatchStride;
    let cBase = batch * params.m * params.n;
    ${range(block * block).map((i) => `var acc${Math.floor(i / block)}_${i % block} = 0.0;`).join(' ')}
    ${range(block).map((i) => `let aRow${i} = min(row0 + ${i * THREADS_Y}u, params.m - 1u);`).join('\n    ')}
    ${range(block).map((j) => `let bCol${j} = min(col0 + ${j * THREADS_X}u, params.n - 1u);`).join('\n    ')}
    let kMain = params.k - params.k % ${unroll}u;
    var kk = 0u;
    for (; kk < kMain; kk += ${unroll}u) {
      ${range(unroll).map((u) => step(`(kk + ${u}u)`)).join('\n      ')}
    }
    for (; kk < params.k; kk++) {
      ${step('kk')}
    }
    ${range(block)
      .map(
        (i) => `if (row0 + ${i * THREADS_Y}u < params.m) {
      ${range(block)
        .map((j) => `if (col0 + ${j * THREADS_X}u < params.n) { c[cBase + (row0 + ${i * THREADS_Y}u) * params.n + col0 + ${j * THREADS_X}u] = acc${i}_${j}; }`)
        .join('\n      ')}
    }`,
      )
      .join('\n    ')}
  }
}`;
}
