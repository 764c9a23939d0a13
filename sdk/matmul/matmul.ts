import { sha256Hex, type ItemResult, type JobSpecInput } from '../../shared/index.js';
import { TabgridError } from '../errors.js';
import type { ReadOptions, WaitOptions } from '../job.js';
import type { MapOptions } from '../map.js';
import { matmulTaskSource } from './task-module.js';
import { assembleProduct, decodeTile, DEFAULT_TILE, float32Bytes, planTiles, transposeMatrix, type Matrix, type TilePlan } from './tiles.js';

/** Options of `grid.matmul()`. */
export interface MatmulOptions extends Pick<MapOptions, 'priority' | 'retry' | 'timeoutMs' | 'signal'> {
  /**
   * Side of the square tiles of the product: one task per tile. Larger tiles mean fewer tasks
   * and less of A and B read twice; smaller ones spread better over tabs.
   * @default 256
   * @example await grid.matmul(a, b, { tile: 512 })
   */
  tile?: number;
  /**
   * The job's name, as shown by `tabgrid list` and the admin panel.
   * @default 'matmul'
   */
  name?: string;
  /**
   * Multiply here, in this process (the local runner, `ctx.tensor` on the CPU reference),
   * tile by tile as the grid would; no coordinator needed.
   * @default false
   */
  local?: boolean;
}

/** A job handle as `grid.submit` and the local runner give it: enough to wait and read results. */
interface ResultsJob {
  readonly id: string;
  wait(options?: WaitOptions): Promise<unknown>;
  results(options?: ReadOptions): AsyncIterable<ItemResult>;
}

/** What `multiplyOnGrid` needs of a `Tabgrid`. */
export interface MatmulGrid {
  putBlob(data: Uint8Array, options?: ReadOptions): Promise<string>;
  submit(spec: JobSpecInput, options?: ReadOptions): Promise<ResultsJob>;
}

/**
 * `C = A·B` as a tabgrid job: A (row-major) and Bᵀ (B's columns one after another) are stored as
 * blobs, and a `range` job over the tiles of C runs the built-in task (see `matmulTaskSource`)
 * once per tile; the tiles come back in order and are put together here. With `local: true`
 * the same job runs in this process.
 * @example const c = await multiplyOnGrid(grid, a, b, { tile: 256 });
 */
export async function multiplyOnGrid(grid: MatmulGrid, a: Matrix, b: Matrix, options: MatmulOptions = {}): Promise<Matrix> {
  const plan = planTiles(a, b, options.tile ?? DEFAULT_TILE);
  const aBytes = float32Bytes(a.data);
  const btBytes = float32Bytes(transposeMatrix(b).data);
  const read = options.signal ? { signal: options.signal } : {};
  let job: ResultsJob;
  if (options.local) {
    const [aSha, btSha] = await Promise.all([sha256Hex(aBytes), sha256Hex(btBytes)]);
    const blobs = new Map([[aSha, aBytes], [btSha, btBytes]]);
    // Loaded on demand, as in `grid.submit`: only a local multiply needs the task runtime.
    const { runLocally } = await import('../local/index.js');
    job = await runLocally(matmulSpec(plan, aSha, btSha, options), { blobs });
  } else {
    const [aSha, btSha] = await Promise.all([grid.putBlob(aBytes, read), grid.putBlob(btBytes, read)]);
    job = await grid.submit(matmulSpec(plan, aSha, btSha, options), read);
  }
  await job.wait(options.timeoutMs === undefined ? read : { ...read, timeoutMs: options.timeoutMs });
  return assembleProduct(plan, await readTiles(job, plan, read));
}

/**
 * The job spec of a tiled matmul whose A and Bᵀ are stored as blobs `aSha` and `btSha`.
 * @example matmulSpec(plan, aSha, btSha, { name: 'gram matrix' }).input // { range: { start: 0, end: plan.count }, chunkSize: 1 }
 */
export function matmulSpec(plan: TilePlan, aSha: string, btSha: string, options: MatmulOptions = {}): JobSpecInput {
  const spec: JobSpecInput = {
    name: options.name ?? 'matmul',
    code: matmulTaskSource({ ...plan, a: aSha, bt: btSha }),
    input: { range: { start: 0, end: plan.count }, chunkSize: 1 },
  };
  if (options.priority !== undefined) spec.priority = options.priority;
  if (options.retry !== undefined) spec.retry = options.retry;
  return spec;
}

async function readTiles(job: ResultsJob, plan: TilePlan, options: ReadOptions): Promise<Float32Array[]> {
  const tiles = new Array<Float32Array | undefined>(plan.count).fill(undefined);
  for await (const { index, output } of job.results(options)) {
    if (!Number.isInteger(index) || index < 0 || index >= plan.count) throw new TabgridError(`job ${job.id} returned tile ${index}, of ${plan.count}`);
    tiles[index] = decodeTile(output, index);
  }
  const missing = tiles.indexOf(undefined);
  if (missing !== -1) throw new TabgridError(`job ${job.id} completed without tile ${missing}`);
  return tiles as Float32Array[];
}
