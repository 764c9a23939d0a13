import { WasmKernelError } from './errors.js';
import { MAX_STRIDED_RANK } from './ops.js';

/**
 * How a strided binary op walks its operands: the output is dense row-major of `shape`;
 * element (i0, …, ir) of `a` is at `sum(i_d * aStrides[d])`, likewise `b`. Strides are in
 * elements; 0 repeats a value along that dimension (broadcasting).
 */
export interface StridedLayout {
  readonly shape: readonly number[];
  readonly aStrides: readonly number[];
  readonly bStrides: readonly number[];
}

/** Dense row-major strides of `shape`, in elements. @example rowMajorStrides([2, 3, 4]) // [12, 4, 1] */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d] ?? 1;
  }
  return strides;
}

/** Number of elements of `shape`. @example elementCount([2, 3]) // 6 */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

/**
 * NumPy broadcasting of two shapes: aligned from the right, a size 1 stretches to the other.
 * @example broadcastShapes([3, 1], [4]) // [3, 4]
 */
export function broadcastShapes(aShape: readonly number[], bShape: readonly number[]): number[] {
  const rank = Math.max(aShape.length, bShape.length);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) {
    const a = aShape[aShape.length - rank + d] ?? 1;
    const b = bShape[bShape.length - rank + d] ?? 1;
    if (a !== b && a !== 1 && b !== 1) {
      throw new WasmKernelError(`shapes [${aShape.join(', ')}] and [${bShape.join(', ')}] do not broadcast`);
    }
    shape.push(a === 1 ? b : a);
  }
  return shape;
}

/**
 * The strided layout of `a op b` under broadcasting, with dimensions merged wherever both
 * operands stay contiguous across them, so the kernel's inner rows are as long as possible.
 * @example broadcastLayout([2, 3], [3]) // { shape: [2, 3], aStrides: [3, 1], bStrides: [0, 1] }
 */
export function broadcastLayout(aShape: readonly number[], bShape: readonly number[]): StridedLayout {
  const shape = broadcastShapes(aShape, bShape);
  const aStrides = alignedStrides(aShape, shape);
  const bStrides = alignedStrides(bShape, shape);
  return mergeDimensions({ shape, aStrides, bStrides });
}

function alignedStrides(own: readonly number[], shape: readonly number[]): number[] {
  const padded = [...new Array<number>(shape.length - own.length).fill(1), ...own];
  return rowMajorStrides(padded).map((stride, d) => (padded[d] === 1 ? 0 : stride));
}

/** Drops size-1 dimensions and merges a dimension into the next where both strides allow it. */
export function mergeDimensions(layout: StridedLayout): StridedLayout {
  const shape: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  layout.shape.forEach((size, d) => {
    if (size === 1) return;
    const a = layout.aStrides[d] ?? 0;
    const b = layout.bStrides[d] ?? 0;
    const last = shape.length - 1;
    const outerSize = shape[last];
    if (outerSize !== undefined && aStrides[last] === a * size && bStrides[last] === b * size) {
      shape[last] = outerSize * size;
      aStrides[last] = a;
      bStrides[last] = b;
    } else {
      shape.push(size);
      aStrides.push(a);
      bStrides.push(b);
    }
  });
  if (shape.length === 0) return { shape: [1], aStrides: [0], bStrides: [0] };
  if (shape.length > MAX_STRIDED_RANK) {
    throw new WasmKernelError(`strided layout has ${shape.length} dimensions after merging; the kernel takes ${MAX_STRIDED_RANK}`);
  }
  return { shape, aStrides, bStrides };
}

/** Lengths of the [outer, axis, inner] view of `shape` around `axis`. @example reduceDims([2, 3, 4], 1) // { outer: 2, axisLength: 3, inner: 4 } */
export function reduceDims(shape: readonly number[], axis: number): { outer: number; axisLength: number; inner: number } {
  const at = axis < 0 ? shape.length + axis : axis;
  const axisLength = shape[at];
  if (axisLength === undefined) throw new WasmKernelError(`axis ${axis} is outside shape [${shape.join(', ')}]`);
  return { outer: elementCount(shape.slice(0, at)), axisLength, inner: elementCount(shape.slice(at + 1)) };
}
