export { loadThreadedWasmKernels, loadWasmKernels, type ThreadedKernelsOptions } from './kernels.js';
export type { MatmulDims, MatrixDims, ReduceDims, WasmBuffer, WasmKernels } from './kernels.js';
export type { ArrayKernels } from './array-kernels.js';
export { createSharedMemory, supportsRelaxedSimd, type WasmKernelSource } from './module.js';
export type { KernelThreadPort } from './threads/pool.js';
export type { BinaryOp, ReduceOp, UnaryOp } from './ops.js';
export {
  broadcastLayout, broadcastShapes, elementCount, mergeDimensions, reduceDims, rowMajorStrides,
  type StridedLayout,
} from './layout.js';
export {
  WasmKernelError, WasmLoadError, WasmMemoryError, isWasmKernelError, isWasmLoadError, isWasmMemoryError,
} from './errors.js';
