/** Element-wise ops on two arrays. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
/** Element-wise ops on one array; `gelu` is the tanh approximation. */
export type UnaryOp = 'relu' | 'gelu' | 'exp' | 'log' | 'tanh' | 'sigmoid' | 'neg';
/** Reductions along one axis. */
export type ReduceOp = 'sum' | 'mean' | 'max';

// The numbers each op has in the module: assembly/binary.ts, unary.ts and reduce.ts.
export const BINARY_CODES: Readonly<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
export const UNARY_CODES: Readonly<Record<UnaryOp, number>> = {
  relu: 0, gelu: 1, exp: 2, log: 3, tanh: 4, sigmoid: 5, neg: 6,
};
export const REDUCE_CODES: Readonly<Record<ReduceOp, number>> = { sum: 0, mean: 1, max: 2 };

/** Most dimensions the strided binary kernel takes after merging (assembly/binary.ts MAX_RANK). */
export const MAX_STRIDED_RANK = 8;
