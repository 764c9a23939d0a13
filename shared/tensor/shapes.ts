/**
 * Shape rules, checked once here for every backend: broadcasting, matmul, axes, permutations,
 * slices and concatenation. Each `plan` function throws a `ShapeError` naming the op and the
 * shapes, or returns the flat sizes and strides that a kernel needs.
 */
import { ShapeError } from './errors.js';

/** Dimensions, outermost first; `[]` is a scalar. */
export type Shape = readonly number[];

/**
 * `[17,33]`, the way shapes appear in error messages.
 * @example formatShape([3, 17, 33]) // '[3,17,33]'
 */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/**
 * Number of elements.
 * @example sizeOf([2, 3]) // 6
 */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/**
 * Row-major strides, in elements.
 * @example stridesOf([2, 3, 4]) // [12, 4, 1]
 */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= at(shape, axis);
  }
  return strides;
}

/**
 * The most axes a tensor may have: every backend's strided kernels take up to 8.
 * @example if (shape.length > MAX_RANK) throw new ShapeError('too many axes')
 */
export const MAX_RANK = 8;

/**
 * Throws unless every dimension is a non-negative integer and there are at most `MAX_RANK`.
 * @example checkShape('tensor', [2, 3])
 */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new ShapeError(`${op}: a shape is a list of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (shape.length > MAX_RANK) throw new ShapeError(`${op}: rank ${shape.length} is more than ${MAX_RANK}: ${formatShape(shape)}`);
}

/**
 * `shape[index]`, for indices the caller has already bounded.
 * @example at([2, 3], 1) // 3
 */
export function at(shape: Shape, index: number): number {
  const dim = shape[index];
  if (dim === undefined) throw new RangeError(`index ${index} is outside ${formatShape(shape)}`);
  return dim;
}

/**
 * An axis in `[0, rank)`; negative axes count from the end.
 * @example normalizeAxis('sum', -1, 3) // 2
 */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * The NumPy broadcast of two shapes: aligned at the right, each pair of dimensions equal or one of them 1.
 * @example broadcastShapes('add', [4, 1, 3], [2, 1]) // [4, 2, 3]
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let axis = 0; axis < rank; axis++) {
    const dimA = a[axis - rank + a.length] ?? 1;
    const dimB = b[axis - rank + b.length] ?? 1;
    if (dimA !== dimB && dimA !== 1 && dimB !== 1) {
      throw new ShapeError(`${op}: shapes do not broadcast: ${formatShape(a)} and ${formatShape(b)}`);
    }
    out[axis] = dimA === 1 ? dimB : dimA;
  }
  return out;
}

/**
 * Strides that read `shape` as if it had `outShape` (0 along broadcast dimensions).
 * @example broadcastStrides([2, 1], [4, 2, 3]) // [0, 1, 0]
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, axis) => {
    const inner = axis - offset;
    return inner < 0 || at(shape, inner) === 1 ? 0 : at(own, inner);
  });
}

/** What a matmul kernel computes: `batch` products of `[m,k] x [k,n]`. */
export interface MatmulPlan {
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Elements between consecutive batches of A; 0 when one A is shared by every batch. */
  readonly aBatchStride: number;
  readonly bBatchStride: number;
  /** A is stored as `[k,m]` per batch. */
  readonly transposeA: boolean;
  /** B is stored as `[n,k]` per batch. */
  readonly transposeB: boolean;
  readonly outShape: number[];
}

/** Options of `matmul`: read an operand as its transpose (its last two axes swapped) without copying it. */
export interface MatmulOptions {
  /** @default false */
  readonly transposeA?: boolean;
  /** @default false */
  readonly transposeB?: boolean;
}

/**
 * Checks `a x b` for 2-D and batched operands; leading (batch) dimensions must match, or one
 * operand is 2-D and is shared across the batch.
 * @example planMatmul([3, 17, 33], [33, 5]).outShape // [3, 17, 5]
 */
export function planMatmul(a: Shape, b: Shape, options: MatmulOptions = {}): MatmulPlan {
  const shapes = `${formatShape(a)} x ${formatShape(b)}`;
  if (a.length < 2 || b.length < 2) throw new ShapeError(`matmul: operands need rank 2 or more: ${shapes}`);
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  const [rowsA, colsA] = lastTwo(a);
  const [rowsB, colsB] = lastTwo(b);
  const [m, k] = transposeA ? [colsA, rowsA] : [rowsA, colsA];
  const [kB, n] = transposeB ? [colsB, rowsB] : [rowsB, colsB];
  if (k !== kB) throw new ShapeError(`matmul: inner dimensions differ: ${shapes}${describeTranspose(options)}`);
  const batchA = a.slice(0, -2);
  const batchB = b.slice(0, -2);
  if (batchA.length > 0 && batchB.length > 0 && formatShape(batchA) !== formatShape(batchB)) {
    throw new ShapeError(`matmul: batch dimensions differ: ${shapes}`);
  }
  const batchShape = batchA.length > 0 ? batchA : batchB;
  return {
    batch: sizeOf(batchShape),
    m,
    k,
    n,
    aBatchStride: batchA.length > 0 ? m * k : 0,
    bBatchStride: batchB.length > 0 ? k * n : 0,
    transposeA,
    transposeB,
    outShape: [...batchShape, m, n],
  };
}

function lastTwo(shape: Shape): [number, number] {
  return [at(shape, shape.length - 2), at(shape, shape.length - 1)];
}

function describeTranspose(options: MatmulOptions): string {
  const flags = [options.transposeA === true ? 'A' : '', options.transposeB === true ? 'B' : ''].filter(Boolean);
  return flags.length > 0 ? ` (transposed: ${flags.join(', ')})` : '';
}

/** One axis seen as `[outer, size, inner]`, how reductions and softmax walk it. */
export interface AxisPlan {
  readonly outer: number;
  readonly size: number;
  readonly inner: number;
}

/**
 * Splits a shape around one axis.
 * @example planAxis('softmax', [2, 3, 4], 1) // { outer: 2, size: 3, inner: 4 }
 */
export function planAxis(op: string, shape: Shape, axis: number): AxisPlan & { axis: number } {
  const normalized = normalizeAxis(op, axis, shape.length);
  return {
    axis: normalized,
    outer: sizeOf(shape.slice(0, normalized)),
    size: at(shape, normalized),
    inner: sizeOf(shape.slice(normalized + 1)),
  };
}

/**
 * A reduction along `axis` (all axes when undefined); `keepDims` leaves a 1 in its place.
 * @example planReduce('sum', [2, 3], 1, true).outShape // [2, 1]
 */
export function planReduce(op: string, shape: Shape, axis: number | undefined, keepDims: boolean): AxisPlan & { outShape: number[] } {
  if (axis === undefined) {
    return { outer: 1, size: sizeOf(shape), inner: 1, outShape: keepDims ? shape.map(() => 1) : [] };
  }
  const plan = planAxis(op, shape, axis);
  if (plan.size === 0 && op !== 'sum') throw new ShapeError(`${op}: cannot reduce an empty axis ${axis} of ${formatShape(shape)}`);
  const outShape = keepDims ? shape.map((dim, i) => (i === plan.axis ? 1 : dim)) : shape.filter((_, i) => i !== plan.axis);
  return { outer: plan.outer, size: plan.size, inner: plan.inner, outShape };
}

/**
 * A permutation of the axes (default: reversed, the 2-D transpose).
 * @example planPermute([2, 3, 4], [0, 2, 1]) // { perm: [0, 2, 1], outShape: [2, 4, 3] }
 */
export function planPermute(shape: Shape, perm?: Shape): { perm: number[]; outShape: number[] } {
  const order = perm === undefined ? shape.map((_, i) => shape.length - 1 - i) : [...perm];
  const seen = new Set(order);
  const valid = order.length === shape.length && seen.size === order.length && order.every((axis) => Number.isInteger(axis) && axis >= 0 && axis < shape.length);
  if (!valid) throw new ShapeError(`transpose: ${formatShape(order)} is not a permutation of the axes of ${formatShape(shape)}`);
  return { perm: order, outShape: order.map((axis) => at(shape, axis)) };
}

/**
 * A new shape with the same number of elements; one dimension may be -1 (inferred).
 * @example planReshape([4, 6], [2, -1]) // [2, 12]
 */
export function planReshape(shape: Shape, newShape: Shape): number[] {
  const inferred = newShape.filter((dim) => dim === -1).length;
  const fixed = newShape.filter((dim) => dim !== -1);
  checkShape('reshape', fixed);
  const size = sizeOf(shape);
  const known = sizeOf(fixed);
  const describe = `${formatShape(shape)} to ${formatShape(newShape)}`;
  if (inferred > 1) throw new ShapeError(`reshape: only one dimension may be -1: ${describe}`);
  if (inferred === 1 && (known === 0 || size % known !== 0)) throw new ShapeError(`reshape: cannot infer -1 reshaping ${describe}`);
  if (inferred === 0 && known !== size) throw new ShapeError(`reshape: sizes differ (${size} vs ${known}) reshaping ${describe}`);
  const outShape = newShape.map((dim) => (dim === -1 ? size / known : dim));
  checkShape('reshape', outShape);
  return outShape;
}

/**
 * A box of `size` starting at `begin`; a size of -1 runs to the end of that axis.
 * @example planSlice([4, 5], [1, 2], [2, -1]) // { begin: [1, 2], outShape: [2, 3] }
 */
export function planSlice(shape: Shape, begin: Shape, size: Shape): { begin: number[]; outShape: number[] } {
  const describe = `begin ${formatShape(begin)} size ${formatShape(size)} of ${formatShape(shape)}`;
  if (begin.length !== shape.length || size.length !== shape.length) {
    throw new ShapeError(`slice: begin and size need one entry per axis: ${describe}`);
  }
  const outShape = shape.map((dim, axis) => {
    const start = at(begin, axis);
    const wanted = at(size, axis);
    const length = wanted === -1 ? dim - start : wanted;
    const inside = Number.isInteger(start) && Number.isInteger(length) && start >= 0 && length >= 0 && start + length <= dim;
    if (!inside) throw new ShapeError(`slice: out of bounds on axis ${axis}: ${describe}`);
    return length;
  });
  return { begin: [...begin], outShape };
}

/** Concatenation seen as `outer` rows made of each input's `sizes[i] * inner` elements in turn. */
export interface ConcatPlan {
  readonly outer: number;
  readonly inner: number;
  /** Each input's length along the axis. */
  readonly sizes: number[];
  readonly outShape: number[];
}

/**
 * Joins shapes along `axis`; every other dimension must match.
 * @example planConcat([[2, 3], [2, 5]], 1).outShape // [2, 8]
 */
export function planConcat(shapes: readonly Shape[], axis: number): ConcatPlan {
  const first = shapes[0];
  if (first === undefined) throw new ShapeError('concat: needs at least one tensor');
  const normalized = normalizeAxis('concat', axis, first.length);
  for (const shape of shapes) {
    const same = shape.length === first.length && shape.every((dim, i) => i === normalized || dim === first[i]);
    if (!same) throw new ShapeError(`concat: shapes differ off axis ${axis}: ${shapes.map(formatShape).join(', ')}`);
  }
  const sizes = shapes.map((shape) => at(shape, normalized));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return {
    outer: sizeOf(first.slice(0, normalized)),
    inner: sizeOf(first.slice(normalized + 1)),
    sizes,
    outShape: first.map((dim, i) => (i === normalized ? total : dim)),
  };
}

/**
 * Throws unless two shapes are equal.
 * @example checkSameShape('reluBackward', [2, 3], [2, 3])
 */
export function checkSameShape(op: string, a: Shape, b: Shape): void {
  if (formatShape(a) !== formatShape(b)) throw new ShapeError(`${op}: shapes differ: ${formatShape(a)} and ${formatShape(b)}`);
}

/** How `softmaxCrossEntropy` reads its labels. */
export interface CrossEntropyPlan {
  readonly rows: number;
  readonly cols: number;
  /** `dense`: a `[rows, cols]` distribution (one-hot); `index`: a `[rows]` class index per row. */
  readonly labels: 'dense' | 'index';
}

/**
 * Logits `[rows, cols]` with one-hot labels `[rows, cols]` or class indices `[rows]`.
 * @example planCrossEntropy([8, 10], [8]) // { rows: 8, cols: 10, labels: 'index' }
 */
export function planCrossEntropy(logits: Shape, labels: Shape): CrossEntropyPlan {
  const describe = `logits ${formatShape(logits)}, labels ${formatShape(labels)}`;
  if (logits.length !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be [rows, classes]: ${describe}`);
  const [rows, cols] = lastTwo(logits);
  if (rows === 0 || cols === 0) throw new ShapeError(`softmaxCrossEntropy: logits are empty: ${describe}`);
  if (labels.length === 1 && labels[0] === rows) return { rows, cols, labels: 'index' };
  if (labels.length === 2 && labels[0] === rows && labels[1] === cols) return { rows, cols, labels: 'dense' };
  throw new ShapeError(`softmaxCrossEntropy: labels must be one-hot [${rows},${cols}] or class indices [${rows}]: ${describe}`);
}
