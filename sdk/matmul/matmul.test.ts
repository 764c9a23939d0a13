import { describe, expect, it } from 'vitest';
import { matmulReference } from '../../shared/tensor/index.js';
import { sha256Hex, type JobSpecInput } from '../../shared/index.js';
import { Tabgrid } from '../client.js';
import { isJobFailedError } from '../errors.js';
import { runLocally } from '../local/index.js';
import { matmulSpec, multiplyOnGrid, type MatmulGrid } from './matmul.js';
import { planTiles, type Matrix } from './tiles.js';

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31 - 0.5;
  };
  return { rows, cols, data: Float32Array.from({ length: rows * cols }, next) };
}

function reference(a: Matrix, b: Matrix): Float32Array {
  return matmulReference(a.data, b.data, { m: a.rows, k: a.cols, n: b.cols, batch: 1, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false });
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, at) => expect(Math.abs(actual[at]! - value)).toBeLessThanOrEqual(1e-4 * Math.abs(value) + 1e-4));
}

/** A grid that keeps blobs in memory and runs each submitted job with the local runner. */
function inMemoryGrid(): MatmulGrid & { specs: JobSpecInput[]; blobs: Map<string, Uint8Array> } {
  const blobs = new Map<string, Uint8Array>();
  const specs: JobSpecInput[] = [];
  return {
    blobs,
    specs,
    putBlob: async (data) => {
      const sha = await sha256Hex(data);
      blobs.set(sha, new Uint8Array(data));
      return sha;
    },
    submit: (spec) => {
      specs.push(spec);
      return runLocally(spec, { blobs });
    },
  };
}

describe('grid.matmul', () => {
  it('multiplies locally, tile by tile on the CPU tensor core, edge tiles included', async () => {
    const grid = new Tabgrid({ url: 'http://127.0.0.1:1', token: 'unused' });
    const a = randomMatrix(37, 19, 1);
    const b = randomMatrix(19, 23, 2);
    const c = await grid.matmul(a, b, { tile: 16, local: true });
    expect(c.rows).toBe(37);
    expect(c.cols).toBe(23);
    expectClose(c.data, reference(a, b));
  });

  it('stores A and Bᵀ as blobs and submits a range job of one task per tile', async () => {
    const grid = inMemoryGrid();
    const a = randomMatrix(10, 6, 3);
    const b = randomMatrix(6, 7, 4);
    const c = await multiplyOnGrid(grid, a, b, { tile: 4, name: 'product', retry: { maxAttempts: 1 } });
    expectClose(c.data, reference(a, b));
    // A and Bᵀ are uploaded at once, so in either order.
    expect([...grid.blobs.values()].map((bytes) => bytes.length).sort((x, y) => x - y)).toEqual([7 * 6 * 4, 10 * 6 * 4]);
    expect(grid.specs).toHaveLength(1);
    expect(grid.specs[0]).toMatchObject({ name: 'product', input: { range: { start: 0, end: 3 * 2 }, chunkSize: 1 }, retry: { maxAttempts: 1 } });
  });

  it('handles a product of one entry and a tile larger than the matrices', async () => {
    const grid = inMemoryGrid();
    const c = await multiplyOnGrid(grid, { rows: 1, cols: 3, data: Float32Array.of(1, 2, 3) }, { rows: 3, cols: 1, data: Float32Array.of(4, 5, 6) }, { tile: 512 });
    expect(c).toEqual({ rows: 1, cols: 1, data: Float32Array.of(32) });
  });

  it('fails with JobFailedError when a tile cannot be read', async () => {
    const grid = inMemoryGrid();
    const a = randomMatrix(2, 2, 5);
    const plan = planTiles(a, a, 1);
    const job = await runLocally({ ...matmulSpec(plan, 'd'.repeat(64), 'e'.repeat(64)), retry: { maxAttempts: 1 } }, { blobs: grid.blobs });
    const failure = await job.wait().catch((error: unknown) => error);
    expect(isJobFailedError(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/no blob d+/);
  });
});
