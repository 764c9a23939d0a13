import type { PermuteParams, SliceParams } from '../backend.js';
import type { ConcatPlan } from '../shapes.js';
import { sizeOf, stridesOf } from '../shapes.js';

/**
 * Copies `x` with its axes permuted: output axis `i` is input axis `perm[i]`.
 * @example permuteReference(Float32Array.of(1, 2, 3, 4, 5, 6), { shape: [2, 3], perm: [1, 0] }) // [1, 4, 2, 5, 3, 6]
 */
export function permuteReference(x: Float32Array, params: PermuteParams): Float32Array {
  const inStrides = stridesOf(params.shape);
  const outShape = params.perm.map((axis) => params.shape[axis]!);
  const strides = params.perm.map((axis) => inStrides[axis]!);
  return gather(x, outShape, strides, 0);
}

/**
 * Copies the box `[begin, begin + outShape)` out of `x`.
 * @example sliceReference(Float32Array.of(1, 2, 3, 4), { shape: [2, 2], begin: [0, 1], outShape: [2, 1] }) // [2, 4]
 */
export function sliceReference(x: Float32Array, params: SliceParams): Float32Array {
  const strides = stridesOf(params.shape);
  const offset = params.begin.reduce((total, start, axis) => total + start * strides[axis]!, 0);
  return gather(x, params.outShape, strides, offset);
}

/**
 * Joins inputs seen as `[outer, sizes[i], inner]` along their middle axis.
 * @example concatReference([Float32Array.of(1, 2), Float32Array.of(3)], { outer: 1, inner: 1, sizes: [2, 1] }) // [1, 2, 3]
 */
export function concatReference(inputs: readonly Float32Array[], params: Omit<ConcatPlan, 'outShape'>): Float32Array {
  const { outer, inner, sizes } = params;
  const rowLength = sizes.reduce((total, size) => total + size, 0) * inner;
  const out = new Float32Array(outer * rowLength);
  for (let o = 0; o < outer; o++) {
    let column = 0;
    inputs.forEach((input, i) => {
      const width = sizes[i]! * inner;
      out.set(input.subarray(o * width, (o + 1) * width), o * rowLength + column);
      column += width;
    });
  }
  return out;
}

/** Reads `x` at `offset + sum(coordinate[axis] * strides[axis])` for every coordinate of `outShape`, in row-major order. */
function gather(x: Float32Array, outShape: readonly number[], strides: readonly number[], offset: number): Float32Array {
  const out = new Float32Array(sizeOf(outShape));
  for (let index = 0; index < out.length; index++) {
    let rest = index;
    let source = offset;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      const dim = outShape[axis]!;
      source += (rest % dim) * strides[axis]!;
      rest = Math.floor(rest / dim);
    }
    out[index] = x[source]!;
  }
  return out;
}
