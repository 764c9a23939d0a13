import { broadcastShapes, elementCount } from './layout.js';
import type { ArrayKernels, WasmBuffer, WasmKernels } from './kernel-types.js';

export type { ArrayKernels };

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
