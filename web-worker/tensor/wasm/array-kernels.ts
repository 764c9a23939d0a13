import { broadcastShapes, elementCount, type StridedLayout } from './layout.js';
import type { MatmulDims, MatrixDims, ReduceDims, WasmBuffer, WasmKernels } from './kernels.js';
import type { BinaryOp, ReduceOp, UnaryOp } from './ops.js';

/**
 * The WasmKernels ops on plain arrays: inputs are copied into the module's memory, the
 * result is copied out, and nothing stays behind.
 * @example kernels.arrays.unary('relu', Float32Array.of(-1, 2)) // Float32Array [0, 2]
 */
export interface ArrayKernels {
  matmul(a: Float32Array, b: Float32Array, dims: MatmulDims): Float32Array;
  binary(op: BinaryOp, a: Float32Array, b: Float32Array): Float32Array;
  binaryBroadcast(op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[]): Float32Array;
  binaryStrided(op: BinaryOp, a: Float32Array, b: Float32Array, layout: StridedLayout): Float32Array;
  unary(op: UnaryOp, x: Float32Array): Float32Array;
  reduce(op: ReduceOp, x: Float32Array, dims: ReduceDims): Float32Array;
  softmax(x: Float32Array, dims: MatrixDims): Float32Array;
  transpose(x: Float32Array, dims: MatrixDims): Float32Array;
}

/** ArrayKernels over `kernels`, each call freeing what it allocated even when the kernel throws. */
export function createArrayKernels(kernels: WasmKernels): ArrayKernels {
  const run = (inputs: Float32Array[], outLength: number, kernel: (ins: WasmBuffer[], out: WasmBuffer) => void): Float32Array => {
    const held: WasmBuffer[] = [];
    const hold = (length: number): WasmBuffer => {
      const buffer = kernels.alloc(length);
      held.push(buffer);
      return buffer;
    };
    try {
      const ins = inputs.map((data) => {
        const buffer = hold(data.length);
        kernels.write(buffer, data);
        return buffer;
      });
      const out = hold(outLength);
      kernel(ins, out);
      return kernels.read(out);
    } finally {
      held.forEach((buffer) => kernels.free(buffer));
    }
  };
  const unary = (x: Float32Array, outLength: number, kernel: (x: WasmBuffer, out: WasmBuffer) => void): Float32Array =>
    run([x], outLength, (ins, out) => kernel(ins[0] as WasmBuffer, out));
  const binary = (a: Float32Array, b: Float32Array, outLength: number, kernel: (a: WasmBuffer, b: WasmBuffer, out: WasmBuffer) => void): Float32Array =>
    run([a, b], outLength, (ins, out) => kernel(ins[0] as WasmBuffer, ins[1] as WasmBuffer, out));
  return {
    matmul: (a, b, dims) => binary(a, b, (dims.batch ?? 1) * dims.m * dims.n, (x, y, out) => kernels.matmul(x, y, out, dims)),
    binary: (op, a, b) => binary(a, b, a.length, (x, y, out) => kernels.binary(op, x, y, out)),
    binaryBroadcast: (op, a, aShape, b, bShape) => binary(
      a, b, elementCount(broadcastShapes(aShape, bShape)), (x, y, out) => kernels.binaryBroadcast(op, x, aShape, y, bShape, out),
    ),
    binaryStrided: (op, a, b, layout) => binary(a, b, elementCount(layout.shape), (x, y, out) => kernels.binaryStrided(op, x, y, out, layout)),
    unary: (op, x) => unary(x, x.length, (input, out) => kernels.unary(op, input, out)),
    reduce: (op, x, dims) => unary(x, dims.outer * dims.inner, (input, out) => kernels.reduce(op, input, out, dims)),
    softmax: (x, dims) => unary(x, x.length, (input, out) => kernels.softmax(input, out, dims)),
    transpose: (x, dims) => unary(x, x.length, (input, out) => kernels.transpose(input, out, dims)),
  };
}
