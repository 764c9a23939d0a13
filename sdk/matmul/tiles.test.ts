import { describe, expect, it } from 'vitest';
import { assembleProduct, decodeTile, float32Bytes, planTiles, tileBounds, transposeMatrix, type Matrix } from './tiles.js';

function matrix(rows: number, cols: number, at: (i: number, j: number) => number = (i, j) => i * cols + j): Matrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[i * cols + j] = at(i, j);
  return { rows, cols, data };
}

describe('planTiles', () => {
  it('counts tiles across both sides, rounding up for edge tiles', () => {
    expect(planTiles(matrix(1000, 64), matrix(64, 300), 256)).toEqual({ m: 1000, k: 64, n: 300, tile: 256, tilesM: 4, tilesN: 2, count: 8 });
    expect(planTiles(matrix(1024, 8), matrix(8, 1024))).toMatchObject({ tile: 256, tilesM: 4, tilesN: 4, count: 16 });
    expect(planTiles(matrix(3, 2), matrix(2, 5), 10)).toMatchObject({ tilesM: 1, tilesN: 1, count: 1 });
  });

  it('refuses shapes that do not multiply, data that does not fill, and bad tiles', () => {
    expect(() => planTiles(matrix(2, 3), matrix(2, 3))).toThrow(/a's columns must equal b's rows/);
    expect(() => planTiles({ rows: 2, cols: 2, data: new Float32Array(3) }, matrix(2, 2))).toThrow(/a is 2×2 but has 3 values/);
    expect(() => planTiles(matrix(2, 2), { rows: 2, cols: 0, data: new Float32Array(0) })).toThrow(/b must have whole rows and cols >= 1/);
    expect(() => planTiles(matrix(2, 2), matrix(2, 2), 0)).toThrow(/tile must be a whole number/);
    expect(() => planTiles(matrix(2, 2), { rows: 2, cols: 2, data: [1, 2, 3, 4] as unknown as Float32Array })).toThrow(/Float32Array/);
  });
});

describe('tileBounds', () => {
  it('walks tiles along rows of tiles, with smaller tiles at the edges', () => {
    const plan = planTiles(matrix(1000, 64), matrix(64, 300), 256);
    expect(tileBounds(plan, 0)).toEqual({ row: 0, rows: 256, col: 0, cols: 256 });
    expect(tileBounds(plan, 1)).toEqual({ row: 0, rows: 256, col: 256, cols: 44 });
    expect(tileBounds(plan, 2)).toEqual({ row: 256, rows: 256, col: 0, cols: 256 });
    expect(tileBounds(plan, 7)).toEqual({ row: 768, rows: 232, col: 256, cols: 44 });
  });

  it('covers every entry of C exactly once', () => {
    const plan = planTiles(matrix(7, 3), matrix(3, 5), 3);
    const covered = new Array<number>(7 * 5).fill(0);
    for (let index = 0; index < plan.count; index++) {
      const { row, rows, col, cols } = tileBounds(plan, index);
      for (let i = row; i < row + rows; i++) for (let j = col; j < col + cols; j++) covered[i * 5 + j]! += 1;
    }
    expect(covered.every((times) => times === 1)).toBe(true);
  });
});

describe('assembleProduct', () => {
  it('puts tiles (edge tiles included) where they belong', () => {
    const plan = planTiles(matrix(5, 1), matrix(1, 3), 2);
    // Each tile's entries say where they belong: 10 * row + col.
    const tiles = Array.from({ length: plan.count }, (_, index) => {
      const { row, rows, col, cols } = tileBounds(plan, index);
      return Float32Array.from({ length: rows * cols }, (_, at) => 10 * (row + Math.floor(at / cols)) + col + (at % cols));
    });
    const product = assembleProduct(plan, tiles);
    expect(product.rows).toBe(5);
    expect(product.cols).toBe(3);
    expect(Array.from(product.data)).toEqual(Array.from({ length: 15 }, (_, at) => 10 * Math.floor(at / 3) + (at % 3)));
  });

  it('refuses missing tiles and tiles of the wrong size', () => {
    const plan = planTiles(matrix(4, 1), matrix(1, 4), 2);
    expect(() => assembleProduct(plan, [new Float32Array(4)])).toThrow(/1 tiles for a product of 4/);
    expect(() => assembleProduct(plan, [new Float32Array(4), new Float32Array(4), new Float32Array(3), new Float32Array(4)])).toThrow(/tile 2 has 3 values, expected 2×2/);
  });
});

describe('transposeMatrix, float32Bytes and decodeTile', () => {
  it('transposes', () => {
    expect(transposeMatrix(matrix(2, 3))).toEqual({ rows: 3, cols: 2, data: Float32Array.of(0, 3, 1, 4, 2, 5) });
  });

  it('round-trips float32 values through base64', () => {
    const values = Float32Array.of(1, -2.5, 3e-8, 1e30);
    const base64 = Buffer.from(float32Bytes(values)).toString('base64');
    expect(decodeTile(base64, 0)).toEqual(values);
    expect(decodeTile('AACAPw==', 0)).toEqual(Float32Array.of(1));
  });

  it('refuses outputs that are not base64 of whole float32 values', () => {
    expect(() => decodeTile([1, 2], 3)).toThrow(/tile 3 came back as object/);
    expect(() => decodeTile('AAA=', 1)).toThrow(/tile 1 has 2 bytes/);
  });
});
