/**
 * Matmul for real GPUs with large register tiles: a workgroup computes a `blockM` x `blockN`
 * block of C, each invocation a `threadM` x `threadN` patch of it in registers (8x8 in the
 * largest configurations: 64 multiply-adds per 4 vec4 reads of workgroup memory). Slices of A and
 * B `depth` deep are staged through workgroup memory, double-buffered: the invocations load the
 * next slice while they multiply the current one, with one barrier per slice. Staging reads
 * storage along each operand's contiguous axis, as vec4s where that axis is a whole number of
 * vec4s (scalars otherwise), so transposed operands cost no copy. An invocation's rows and
 * columns are interleaved with its neighbours' (patch vec4 `i` at `i * threads + id`), so
 * neighbours read neighbouring vec4s of the staged slices. Any size: loads outside A or B read
 * zero, stores outside C are skipped.
 */
import type { MatmulParams } from '../../../../shared/tensor/index.js';
import { type KernelLaunch, MAX_WORKGROUPS_PER_DIMENSION, packUniforms } from './launch.js';

/** The shape of one register-tiled configuration. All five are multiples of 4. */
export interface RegisterTile {
  /** Rows of C per workgroup. */
  readonly blockM: number;
  /** Columns of C per workgroup. */
  readonly blockN: number;
  /** Rows of C per invocation. */
  readonly threadM: number;
  /** Columns of C per invocation. */
  readonly threadN: number;
  /** Depth (along k) of each staged slice. */
  readonly depth: number;
}

/**
 * Workgroup memory a tile needs: two slices of A and two of B, f32.
 * @example registerTileBytes({ blockM: 128, blockN: 128, threadM: 8, threadN: 8, depth: 8 }) // 16384
 */
export function registerTileBytes(tile: RegisterTile): number {
  return 2 * tile.depth * (tile.blockM + tile.blockN) * 4;
}

/** The workgroup size `[x, y]` of a tile: one invocation per patch. */
export function registerTileWorkgroup(tile: RegisterTile): readonly [number, number] {
  return [tile.blockN / tile.threadN, tile.blockM / tile.threadM];
}

const COMPONENTS = ['x', 'y', 'z', 'w'] as const;
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/** How one operand is read: its contiguous axis, and whether vec4 loads fit it. */
interface OperandLayout {
  readonly alongK: boolean;
  readonly vec4: boolean;
}

/** A's contiguous axis is k unless transposed; B's is n unless transposed. */
function layoutsOf(params: MatmulParams): { a: OperandLayout; b: OperandLayout } {
  const fits = (contiguous: number, stride: number): boolean => contiguous % 4 === 0 && stride % 4 === 0;
  return {
    a: { alongK: !params.transposeA, vec4: fits(params.transposeA ? params.m : params.k, params.aBatchStride) },
    b: { alongK: params.transposeB, vec4: fits(params.transposeB ? params.k : params.n, params.bBatchStride) },
  };
}

/**
 * The register-tiled matmul with `tile`'s shape.
 * @example registerMatmulLaunch({ blockM: 128, blockN: 128, threadM: 8, threadN: 8, depth: 8 }, { batch: 2, m: 129, k: 67, n: 131, aBatchStride: 8643, bBatchStride: 8777, transposeA: false, transposeB: false }).workgroups // [2, 2, 2]
 */
export function registerMatmulLaunch(tile: RegisterTile, params: MatmulParams): KernelLaunch {
  const { a, b } = layoutsOf(params);
  const variant = (transposed: boolean, layout: OperandLayout): string => `${transposed ? 'T' : 'N'}${layout.vec4 ? '4' : '1'}`;
  return {
    key: `matmul:register:${tile.blockM}x${tile.blockN}:${tile.threadM}x${tile.threadN}:${tile.depth}:${variant(params.transposeA, a)}${variant(params.transposeB, b)}`,
    uniforms: packUniforms([params.m, params.k, params.n, params.batch, params.aBatchStride, params.bBatchStride]),
    workgroups: [Math.ceil(params.n / tile.blockN), Math.ceil(params.m / tile.blockM), Math.min(params.batch, MAX_WORKGROUPS_PER_DIMENSION)],
    source: () => registerSource(tile, a, b),
  };
}

/** Names that differ between the A and B sides of the kernel. */
interface Side {
  readonly buffer: 'a' | 'b';
  readonly staged: 'tileA' | 'tileB';
  readonly base: 'aBase' | 'bBase';
  /** First row (A) or column (B) of the workgroup's block. */
  readonly origin: 'row0' | 'col0';
  /** Extent of the outer (non-k) axis. */
  readonly outer: 'params.m' | 'params.n';
  readonly block: number;
}

/** WGSL that copies one slice (`k0` on) of an operand into staged buffer `buf`. */
function stageSource(side: Side, layout: OperandLayout, tile: RegisterTile, threads: number): string {
  const unit = layout.vec4 ? 4 : 1;
  const total = (side.block * tile.depth) / unit;
  const quads = side.block / 4;
  // The element at (outer offset o, depth d), as a global index.
  const index = (o: string, d: string): string =>
    layout.alongK ? `(${side.origin} + ${o}) * params.k + k0 + ${d}` : `(k0 + ${d}) * ${side.outer} + ${side.origin} + ${o}`;
  const inRange = (o: string, d: string): string => `${side.origin} + ${o} < ${side.outer} && k0 + ${d} < params.k`;
  const load = (o: string, d: string): string =>
    layout.vec4
      ? `var v = vec4<f32>();
        if (${inRange(o, d)}) { v = ${side.buffer}[(${side.base} + ${index(o, d)}) / 4u]; }`
      : `var v = 0.0;
        if (${inRange(o, d)}) { v = ${side.buffer}[${side.base} + ${index(o, d)}]; }`;
  // Along k a vec4 spans four depths of one row (four staged vec4s); along the outer axis, one staged vec4.
  const store = (o: string, d: string): string => {
    const at = (depth: string): string => `${side.staged}[(buf * ${tile.depth}u + ${depth}) * ${quads}u + (${o}) / 4u][(${o}) % 4u]`;
    if (!layout.vec4) return `${at(d)} = v;`;
    if (layout.alongK) return range(4).map((c) => `${at(`${d} + ${c}u`)} = v.${COMPONENTS[c]};`).join(' ');
    return `${side.staged}[(buf * ${tile.depth}u + ${d}) * ${quads}u + (${o}) / 4u] = v;`;
  };
  const perRow = layout.alongK ? tile.depth / unit : side.block / unit;
  const [o, d] = layout.alongK ? [`(e / ${perRow}u)`, `(e % ${perRow}u) * ${unit}u`] : [`(e % ${perRow}u) * ${unit}u`, `(e / ${perRow}u)`];
  return range(Math.ceil(total / threads))
    .map((pass) => {
      const guard = (pass + 1) * threads > total ? `if (e < ${total}u) ` : '';
      return `{
        let e = local + ${pass * threads}u;
        ${guard}{
        let o = ${o};
        let d = ${d};
        ${load('o', 'd')}
        ${store('o', 'd')}
        }
      }`;
    })
    .join('\n      ');
}

function registerSource(tile: RegisterTile, a: OperandLayout, b: OperandLayout): string {
  const [threadsX, threadsY] = registerTileWorkgroup(tile);
  const threads = threadsX * threadsY;
  const [rowQuads, colQuads] = [tile.threadM / 4, tile.threadN / 4];
  const sideA: Side = { buffer: 'a', staged: 'tileA', base: 'aBase', origin: 'row0', outer: 'params.m', block: tile.blockM };
  const sideB: Side = { buffer: 'b', staged: 'tileB', base: 'bBase', origin: 'col0', outer: 'params.n', block: tile.blockN };
  const stage = (): string => `${stageSource(sideA, a, tile, threads)}
      ${stageSource(sideB, b, tile, threads)}`;
  // Accumulator acc<row>_<column quad>: row r of quad i is patch row i * 4 + r.
  const rows = range(tile.threadM);
  const accumulators = rows.flatMap((row) => range(colQuads).map((j) => `acc${row}_${j}`));
  const rowOf = (row: number): string => `row0 + (${Math.floor(row / 4)}u * ${threadsY}u + lid.y) * 4u + ${row % 4}u`;
  const colOf = (j: number): string => `col0 + (${j}u * ${threadsX}u + lid.x) * 4u`;
  return /* wgsl */ `
struct Params { m: u32, k: u32, n: u32, batch: u32, aBatchStride: u32, bBatchStride: u32 }
@group(0) @binding(0) var<storage, read> a: array<${a.vec4 ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(1) var<storage, read> b: array<${b.vec4 ? 'vec4<f32>' : 'f32'}>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// Two slices of each operand, depth-major: [buffer][depth][${tile.blockM} rows or ${tile.blockN} columns as vec4s].
var<workgroup> tileA: array<vec4<f32>, ${(2 * tile.depth * tile.blockM) / 4}>;
var<workgroup> tileB: array<vec4<f32>, ${(2 * tile.depth * tile.blockN) / 4}>;
@compute @workgroup_size(${threadsX}, ${threadsY})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) local: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let row0 = wid.y * ${tile.blockM}u;
  let col0 = wid.x * ${tile.blockN}u;
  for (var batch = wid.z; batch < params.batch; batch += groups.z) {
    let aBase = batch * params.aBatchStride;
    let bBase = batch * params.bBatchStride;
    ${accumulators.map((name) => `var ${name} = vec4<f32>();`).join(' ')}
    {
      let buf = 0u;
      let k0 = 0u;
      ${stage()}
    }
    workgroupBarrier();
    var current = 0u;
    for (var kTile = 0u; kTile < params.k; kTile += ${tile.depth}u) {
      if (kTile + ${tile.depth}u < params.k) {
        let buf = current ^ 1u;
        let k0 = kTile + ${tile.depth}u;
        ${stage()}
      }
      for (var d = 0u; d < ${tile.depth}u; d++) {
        let aAt = (current * ${tile.depth}u + d) * ${tile.blockM / 4}u + lid.y;
        let bAt = (current * ${tile.depth}u + d) * ${tile.blockN / 4}u + lid.x;
        ${range(rowQuads).map((i) => `let a${i} = tileA[aAt + ${i * threadsY}u];`).join(' ')}
        ${range(colQuads).map((j) => `let b${j} = tileB[bAt + ${j * threadsX}u];`).join(' ')}
        ${rows
          .map((row) => range(colQuads).map((j) => `acc${row}_${j} = fma(vec4<f32>(a${Math.floor(row / 4)}.${COMPONENTS[row % 4]}), b${j}, acc${row}_${j});`).join(' '))
          .join('\n        ')}
      }
      workgroupBarrier();
      current ^= 1u;
    }
    let cBase = batch * params.m * params.n;
    ${rows
      .map(
        (row) => `{
      let r = ${rowOf(row)};
      if (r < params.m) {
        ${range(colQuads)
          .map(
            (j) => `{
          let col = ${colOf(j)};
          ${range(4).map((q) => `if (col + ${q}u < params.n) { c[cBase + r * params.n + col + ${q}u] = acc${row}_${j}.${COMPONENTS[q]}; }`).join(' ')}
        }`,
          )
          .join('\n        ')}
      }
    }`,
      )
      .join('\n    ')}
  }
}`;
}
