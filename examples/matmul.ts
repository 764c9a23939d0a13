/**
 * `grid.matmul` from TypeScript: a matrix product cut into tiles, each computed on a
 * volunteer's tensor core (WebGPU, WASM or the CPU reference, as its tab chose at join).
 *
 *   npm start                                   # in another terminal; note the admin token
 *   TABGRID_TOKEN=<admin token> npx tsx examples/matmul.ts
 *
 * Then open the join URL in a browser tab or two: they do the work. Add `local` to multiply in
 * this process instead (`npx tsx examples/matmul.ts local`), with no coordinator at all.
 */
// In your own project: import { Tabgrid, type Matrix } from 'tabgrid/sdk';
import { Tabgrid, type Matrix } from '../sdk/index.js';

const grid = new Tabgrid({
  url: process.env['TABGRID_URL'] ?? 'http://127.0.0.1:8080',
  token: process.env['TABGRID_TOKEN'] ?? 'local',
});
const local = process.argv.includes('local');

/** A `rows × cols` matrix of values in [-1, 1). */
function randomMatrix(rows: number, cols: number): Matrix {
  return { rows, cols, data: Float32Array.from({ length: rows * cols }, () => Math.random() * 2 - 1) };
}

// 600 × 500 by 500 × 700 in tiles of 256: 3 × 3 = 9 tasks, the last row and column of tiles smaller.
const a = randomMatrix(600, 500);
const b = randomMatrix(500, 700);
const started = performance.now();
const c = await grid.matmul(a, b, { tile: 256, name: 'matmul example', local });
console.log(`${a.rows}×${a.cols} by ${b.rows}×${b.cols} = ${c.rows}×${c.cols} in ${Math.round(performance.now() - started)} ms${local ? ' (local)' : ''}`);

// Check one entry against a plain loop.
const [i, j] = [123, 456];
let expected = 0;
for (let p = 0; p < a.cols; p++) expected += a.data[i * a.cols + p]! * b.data[p * b.cols + j]!;
console.log(`C[${i}][${j}] = ${c.data[i * c.cols + j]?.toFixed(5)} (a plain loop says ${expected.toFixed(5)})`);
