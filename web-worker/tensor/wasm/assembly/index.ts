// The module's exports. Every pointer is a byte address in this module's memory
// that the host allocated above heapBase(); every count is in f32 elements.
export { matmul, matmulBatched, matmulWorkspaceBytes } from './matmul';
export { binary, binaryStrided } from './binary';
export { unary } from './unary';
export { reduce, reduceColumns } from './reduce';
export { softmax } from './softmax';
export { transpose } from './transpose';

/** First byte above the module's static data, 64-byte aligned: the host's allocator owns memory from here on. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~63;
}
