import type { BinaryOp, BinaryParams, UnaryOp } from '../backend.js';
import { sizeOf } from '../shapes.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * The scalar function behind each unary op; `gelu` is the tanh approximation.
 * @example UNARY_FUNCTIONS.sigmoid(0) // 0.5
 */
export const UNARY_FUNCTIONS: Readonly<Record<UnaryOp, (x: number) => number>> = {
  relu: (x) => (x > 0 ? x : 0),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  neg: (x) => -x,
};

/**
 * The scalar function behind each binary op.
 * @example BINARY_FUNCTIONS.reluGrad(-1, 5) // 0
 */
export const BINARY_FUNCTIONS: Readonly<Record<BinaryOp, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  reluGrad: (x, dy) => (x > 0 ? dy : 0),
};

/**
 * Applies a unary op to every element.
 * @example unaryReference('relu', Float32Array.of(-1, 2)) // [0, 2]
 */
export function unaryReference(op: UnaryOp, x: Float32Array): Float32Array {
  return x.map(UNARY_FUNCTIONS[op]);
}

/**
 * A binary op over broadcast operands: each output index is decomposed into coordinates and
 * each operand is read through its (possibly 0) strides.
 * @example binaryReference('add', Float32Array.of(1, 2), Float32Array.of(10), { outShape: [2], aStrides: [1], bStrides: [0] }) // [11, 12]
 */
export function binaryReference(op: BinaryOp, a: Float32Array, b: Float32Array, params: BinaryParams): Float32Array {
  const { outShape, aStrides, bStrides } = params;
  const apply = BINARY_FUNCTIONS[op];
  const out = new Float32Array(sizeOf(outShape));
  for (let index = 0; index < out.length; index++) {
    let rest = index;
    let aIndex = 0;
    let bIndex = 0;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      const dim = outShape[axis]!;
      const coordinate = rest % dim;
      rest = Math.floor(rest / dim);
      aIndex += coordinate * aStrides[axis]!;
      bIndex += coordinate * bStrides[axis]!;
    }
    out[index] = apply(a[aIndex]!, b[bIndex]!);
  }
  return out;
}
