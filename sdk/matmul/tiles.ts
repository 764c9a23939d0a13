import { TabgridError } from '../errors.js';

/**
 * A dense matrix of float32 values, row-major: the entry at row `i`, column `j` is
 * `data[i * cols + j]`.
 * @example const identity: Matrix = { rows: 2, cols: 2, data: Float32Array.of(1, 0, 0, 1) };
 */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** How `C = A·B` (`[m, k] x [k, n]`) is cut into tiles of `tile × tile`, row of tiles by row of tiles. */
export interface TilePlan {
  m: number;
  k: number;
  n: number;
  tile: number;
  /** Tiles down C's rows. */
  tilesM: number;
  /** Tiles across C's columns. */
  tilesN: number;
  /** `tilesM · tilesN`: one task each. */
  count: number;
}

/** Where one tile lies in C: rows `row .. row + rows`, columns `col .. col + cols`. */
export interface TileBounds {
  row: number;
  rows: number;
  col: number;
  cols: number;
}

/** The tile side `grid.matmul` uses when none is given. */
export const DEFAULT_TILE = 256;

/**
 * Checks that `a` and `b` can be multiplied and plans the tiles of their product; edge tiles
 * are smaller where a side is not a multiple of `tile`.
 * @throws {TabgridError} for a matrix whose data does not fill it, inner sizes that differ, or a bad tile
 * @example planTiles({ rows: 1000, cols: 64, data }, { rows: 64, cols: 300, data: other }, 256)
 * // { m: 1000, k: 64, n: 300, tile: 256, tilesM: 4, tilesN: 2, count: 8 }
 */
export function planTiles(a: Matrix, b: Matrix, tile = DEFAULT_TILE): TilePlan {
  checkMatrix('a', a);
  checkMatrix('b', b);
  if (a.cols !== b.rows) throw new TabgridError(`matmul: a is ${a.rows}×${a.cols} and b is ${b.rows}×${b.cols}; a's columns must equal b's rows`);
  if (!Number.isInteger(tile) || tile < 1) throw new TabgridError(`matmul: tile must be a whole number >= 1, got ${tile}`);
  const tilesM = Math.ceil(a.rows / tile);
  const tilesN = Math.ceil(b.cols / tile);
  return { m: a.rows, k: a.cols, n: b.cols, tile, tilesM, tilesN, count: tilesM * tilesN };
}

/**
 * Where tile `index` lies in C (tiles numbered along each row of tiles first).
 * @example tileBounds(plan, 7) // { row: 768, rows: 232, col: 256, cols: 44 } for the plan above
 */
export function tileBounds(plan: TilePlan, index: number): TileBounds {
  const row = Math.floor(index / plan.tilesN) * plan.tile;
  const col = (index % plan.tilesN) * plan.tile;
  return { row, rows: Math.min(plan.tile, plan.m - row), col, cols: Math.min(plan.tile, plan.n - col) };
}

/**
 * C from its tiles (each row-major, `rows × cols` of its bounds), in tile order.
 * @throws {TabgridError} when a tile is missing or has the wrong size
 * @example assembleProduct(plan, tiles) // { rows: plan.m, cols: plan.n, data }
 */
export function assembleProduct(plan: TilePlan, tiles: readonly Float32Array[]): Matrix {
  if (tiles.length !== plan.count) throw new TabgridError(`matmul: ${tiles.length} tiles for a product of ${plan.count}`);
  const data = new Float32Array(plan.m * plan.n);
  tiles.forEach((values, index) => {
    const { row, rows, col, cols } = tileBounds(plan, index);
    if (values.length !== rows * cols) throw new TabgridError(`matmul: tile ${index} has ${values.length} values, expected ${rows}×${cols}`);
    for (let i = 0; i < rows; i++) data.set(values.subarray(i * cols, (i + 1) * cols), (row + i) * plan.n + col);
  });
  return { rows: plan.m, cols: plan.n, data };
}

/**
 * The transpose, so that B's columns lie one after another (a tile reads one contiguous block of Bᵀ).
 * @example transposeMatrix({ rows: 2, cols: 3, data: Float32Array.of(1, 2, 3, 4, 5, 6) }).data // [1, 4, 2, 5, 3, 6]
 */
export function transposeMatrix(matrix: Matrix): Matrix {
  const { rows, cols, data } = matrix;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  }
  return { rows: cols, cols: rows, data: out };
}

/**
 * The bytes of float32 values (the platform's byte order, little-endian everywhere tabgrid runs).
 * @example float32Bytes(Float32Array.of(1)) // Uint8Array [0, 0, 128, 63]
 */
export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * A tile as a task returns it (base64 of its float32 bytes) back to values.
 * @throws {TabgridError} when the output is not a string of whole float32 values
 * @example decodeTile('AACAPw==') // Float32Array [1]
 */
export function decodeTile(output: unknown, index: number): Float32Array {
  if (typeof output !== 'string') throw new TabgridError(`matmul: tile ${index} came back as ${typeof output}, expected base64 text`);
  const binary = atob(output);
  if (binary.length % 4 !== 0) throw new TabgridError(`matmul: tile ${index} has ${binary.length} bytes, not whole float32 values`);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

function checkMatrix(name: string, matrix: Matrix): void {
  const { rows, cols, data } = matrix;
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(cols) || cols < 1) {
    throw new TabgridError(`matmul: ${name} must have whole rows and cols >= 1, got ${rows}×${cols}`);
  }
  if (!(data instanceof Float32Array)) throw new TabgridError(`matmul: ${name}.data must be a Float32Array`);
  if (data.length !== rows * cols) throw new TabgridError(`matmul: ${name} is ${rows}×${cols} but has ${data.length} values`);
}
