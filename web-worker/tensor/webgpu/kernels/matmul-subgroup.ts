/**
 * The direct matmul for CPU-emulated adapters whose subgroups are 4 invocations wide
 * (SwiftShader: one SIMD register). The 4 invocations of a subgroup compute the same rows of C
 * for different columns, so instead of each loading every row of A (a gather per load) each
 * loads a quarter of the rows and `subgroupBroadcast` hands them round as register shuffles:
 * 25% of the loads of A, measured about 20% faster than `matmul-direct`'s vec4 variant.
 * Every invocation keeps `rows` x 16 of C; the backend checks at start-up that subgroups are
 * laid out as this kernel assumes (`probeSubgroupLayout`) before choosing it.
 */
import type { MatmulParams } from '../../../../shared/tensor/index.js';
import { type KernelLaunch, MAX_WORKGROUPS_PER_DIMENSION, packUniforms } from './launch.js';

/** One subgroup across (4 invocations, 16 columns each), 8 down. */
export const SUBGROUP_THREADS_X = 4;
const THREADS_Y = 8;
const COLUMNS = 16;

const COMPONENTS = ['x', 'y', 'z', 'w'] as const;
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/** Rows of C per invocation: fewer for short A, so a small batch does not compute mostly padding. */
function rowsPerInvocation(m: number): 8 | 16 | 32 {
  if (m <= 8 * THREADS_Y) return 8;
  if (m <= 16 * THREADS_Y) return 16;
  return 32;
}

/**
 * The subgroup-sharing matmul; needs row-major operands with whole vec4 rows (see `directVec4Applies`).
 * @example subgroupMatmulLaunch({ batch: 1, m: 1024, k: 1024, n: 1024, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false }).workgroups // [16, 4, 1]
 */
export function subgroupMatmulLaunch(params: MatmulParams): KernelLaunch {
  const rows = rowsPerInvocation(params.m);
  return {
    key: `matmul:subgroup:${rows}`,
    uniforms: packUniforms([params.m, params.k, params.n, params.batch, params.aBatchStride, params.bBatchStride]),
    workgroups: [
      Math.ceil(params.n / (COLUMNS * SUBGROUP_THREADS_X)),
      Math.ceil(params.m / (rows * THREADS_Y)),
      Math.min(params.batch, MAX_WORKGROUPS_PER_DIMENSION),
    ],
    source: () => subgroupSource(rows),
  };
}

function subgroupSource(rows: number): string {
  const columns = COLUMNS / 4;
  const own = rows / SUBGROUP_THREADS_X;
  const accumulators = range(rows).flatMap((i) => range(columns).map((j) => `acc${i}_${j}`));
  return /* wgsl */ `
enable subgroups;
// The broadcasts sit in loops whose trip counts are uniform; the analysis cannot see that the
// batch loop's start (the workgroup id) is the same for the whole subgroup.
diagnostic(off, subgroup_uniformity);
struct Params { m: u32, k: u32, n: u32, batch: u32, aBatchStride: u32, bBatchStride: u32 }
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;
@compute @workgroup_size(${SUBGROUP_THREADS_X}, ${THREADS_Y})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32) {
  let k4 = params.k / 4u;
  let n4 = params.n / 4u;
  let row0 = wid.y * ${rows * THREADS_Y}u + lid.y * ${rows}u;
  let col0 = wid.x * ${(COLUMNS * SUBGROUP_THREADS_X) / 4}u + lid.x * ${columns}u;
  for (var batch = wid.z; batch < params.batch; batch += groups.z) {
    let aBase = batch * (params.aBatchStride / 4u);
    let bBase = batch * (params.bBatchStride / 4u);
    let cBase = batch * params.m * n4;
    ${accumulators.map((name) => `var ${name} = vec4<f32>();`).join(' ')}
    // This invocation loads rows lane*${own} .. lane*${own}+${own - 1} of the subgroup's ${rows}.
    ${range(own).map((t) => `let aRow${t} = aBase + min(row0 + lane * ${own}u + ${t}u, params.m - 1u) * k4;`).join('\n    ')}
    ${range(columns).map((j) => `let bCol${j} = bBase + min(col0 + ${j}u, n4 - 1u);`).join('\n    ')}
    for (var kk = 0u; kk < k4; kk++) {
      ${range(own).map((t) => `let own${t} = a[aRow${t} + kk];`).join(' ')}
      ${range(rows).map((i) => `let a${i} = subgroupBroadcast(own${i % own}, ${Math.floor(i / own)}u);`).join('\n      ')}
      ${range(4)
        .map(
          (q) => `{
        let bRow = (kk * 4u + ${q}u) * n4;
        ${range(columns).map((j) => `let b${j} = b[bCol${j} + bRow];`).join(' ')}
        ${range(rows)
          .map((i) => range(columns).map((j) => `acc${i}_${j} += a${i}.${COMPONENTS[q]} * b${j};`).join(' '))
          .join('\n        ')}
      }`,
        )
        .join('\n      ')}
    }
    ${range(rows)
      .map(
        (i) => `if (row0 + ${i}u < params.m) {
      ${range(columns).map((j) => `if (col0 + ${j}u < n4) { c[cBase + (row0 + ${i}u) * n4 + col0 + ${j}u] = acc${i}_${j}; }`).join('\n      ')}
    }`,
      )
      .join('\n    ')}
  }
}`;
}
