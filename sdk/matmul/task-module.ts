import type { TilePlan } from './tiles.js';

/** What the built-in matmul task needs to know: the tiling and the blobs holding A and Bᵀ. */
export interface MatmulTaskPlan extends TilePlan {
  /** SHA-256 of A's float32 bytes, row-major `[m, k]`. */
  a: string;
  /** SHA-256 of Bᵀ's float32 bytes, row-major `[n, k]`: B's columns one after another. */
  bt: string;
}

/**
 * The task of one tile of C, index `start` of the job's range: it reads the row block of A and
 * the column block of B it needs (ranged `ctx.blob` reads, through the worker's blob cache),
 * multiplies them on `ctx.tensor` and returns the tile as base64 of its float32 bytes
 * (a third of the size of a JSON array of numbers).
 */
const TASK_BODY = String.raw`
function floats(bytes) {
  return bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    : new Float32Array(bytes.slice().buffer);
}

function base64(values) {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export default async ({ start }, ctx) => {
  const { m, k, n, tile, tilesN } = PLAN;
  if (!ctx.tensor || !ctx.blob) throw new Error('matmul: this worker gives tasks no ctx.tensor or ctx.blob');
  const row = Math.floor(start / tilesN) * tile;
  const col = (start % tilesN) * tile;
  const rows = Math.min(tile, m - row);
  const cols = Math.min(tile, n - col);
  const [aBlock, btBlock] = await Promise.all([
    ctx.blob(PLAN.a, { offset: row * k * 4, length: rows * k * 4 }),
    ctx.blob(PLAN.bt, { offset: col * k * 4, length: cols * k * 4 }),
  ]);
  const t = ctx.tensor;
  const c = t.matmul(t.tensor(floats(aBlock), [rows, k]), t.tensor(floats(btBlock), [cols, k]), { transposeB: true });
  return base64(await c.data());
};
`;

/**
 * The ES module source of a distributed matmul's tasks: the plan as a constant, then the task.
 * @example
 * const code = matmulTaskSource({ ...planTiles(a, b), a: shaA, bt: shaBt });
 * await grid.submit({ name: 'matmul', code, input: { range: { start: 0, end: plan.count }, chunkSize: 1 } });
 */
export function matmulTaskSource(plan: MatmulTaskPlan): string {
  const { a, bt, m, k, n, tile, tilesN } = plan;
  return `const PLAN = ${JSON.stringify({ a, bt, m, k, n, tile, tilesN })};\n${TASK_BODY}`;
}
