/**
 * Distributed matrix multiplication: `grid.matmul(a, b)` cuts the product into tiles, one task
 * each, computed on the volunteers' tensor cores from ranged reads of A and Bᵀ.
 * @example
 * const c = await grid.matmul({ rows: 2, cols: 2, data: a }, { rows: 2, cols: 2, data: b });
 */
export { matmulSpec, multiplyOnGrid, type MatmulGrid, type MatmulOptions } from './matmul.js';
export { matmulTaskSource, type MatmulTaskPlan } from './task-module.js';
export { assembleProduct, decodeTile, DEFAULT_TILE, float32Bytes, planTiles, tileBounds, transposeMatrix, type Matrix, type TileBounds, type TilePlan } from './tiles.js';
