/** The WASM kernels' contract: buffers resident in the module's memory and the operations on them. */
import type { StridedLayout } from './layout.js';
import type { BinaryOp, ReduceOp, UnaryOp } from './ops.js';

/**
 * A run of f32 values resident in the kernels' memory, made by `WasmKernels.alloc`.
 * Opaque: only the `WasmKernels` that made it can use it, and only until it is freed.
 */
export interface WasmBuffer {
  /** Number of f32 values. */
  readonly length: number;
}

/** Sizes of a (batched) matrix product `out[batch, m, n] = a[batch, m, k] · b[batch, k, n]`. */
export interface MatmulDims {
  m: number;
  k: number;
  n: number;
  /** Number of products, each over its own slice of `a`, `b` and `out`. @default 1 */
  batch?: number;
  /** `a` holds each matrix as [k, m] and the product uses its transpose. @default false */
  transposeA?: boolean;
  /** `b` holds each matrix as [n, k] and the product uses its transpose. @default false */
  transposeB?: boolean;
  /** One `a` matrix for every batch (`a` has m·k values). @default false */
  broadcastA?: boolean;
  /** One `b` matrix for every batch (`b` has k·n values). @default false */
  broadcastB?: boolean;
}

/** Lengths of the three axes of the [outer, axis, inner] view a reduction runs over. */
export interface ReduceDims {
  outer: number;
  /** Length of the axis that is reduced away. */
  axisLength: number;
  inner: number;
}

/** A dense row-major matrix's sizes. */
export interface MatrixDims {
  rows: number;
  cols: number;
}

/**
 * f32 kernels compiled to WebAssembly SIMD, on buffers that stay in the module's memory, so a
 * chain of ops copies nothing in or out until `read`. Each kernel writes its whole `out`.
 * @example
 * const kernels = await loadWasmKernels(bytes);
 * const a = kernels.alloc(6), b = kernels.alloc(6), out = kernels.alloc(4);
 * kernels.write(a, Float32Array.of(1, 2, 3, 4, 5, 6));
 * kernels.write(b, Float32Array.of(1, 0, 0, 1, 1, 1));
 * kernels.matmul(a, b, out, { m: 2, k: 3, n: 2 });
 * kernels.read(out); // Float32Array [4, 5, 10, 11]
 * [a, b, out].forEach((buffer) => kernels.free(buffer));
 */
export interface WasmKernels {
  /** Reserves room for `length` f32 values; the contents are undefined until written. */
  alloc(length: number): WasmBuffer;
  /** Copies `data` into `buffer` from element `offset` on. @default offset 0 */
  write(buffer: WasmBuffer, data: Float32Array, offset?: number): void;
  /** A copy of the buffer's values. */
  read(buffer: WasmBuffer): Float32Array;
  /** Gives the buffer's memory back; the buffer cannot be used again. */
  free(buffer: WasmBuffer): void;
  /** Bytes held by live buffers and the kernels' own scratch, and the memory's whole size. */
  memoryUsage(): { bytesInUse: number; memoryBytes: number };
  /**
   * Threads an op may be split across from now on: 1 up to `maxThreads` (a larger count is
   * clamped). Helper threads are started on the first call that asks for them, and an op uses
   * those ready by then. @default 1
   */
  threads: number;
  /** 1 for the single-threaded builds; for a threaded one, the caller plus its pool's helpers. */
  readonly maxThreads: number;
  /** Threads an op can use now: the caller plus the helpers started and ready, at most `threads`. */
  readonly threadsReady: number;
  /**
   * Sets `threads` and resolves with `threadsReady` once the helper threads needed have come up
   * (or failed to), or after `timeoutMs`: what to await before work that should use them.
   * @default timeoutMs 10000
   */
  startThreads(count: number, timeoutMs?: number): Promise<number>;
  /** Ends the helper threads, if any; the kernels go on working, on the calling thread. */
  close(): void;

  /** out = a · b (see MatmulDims); `out` must be neither `a` nor `b`. */
  matmul(a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, dims: MatmulDims): void;
  /** out[i] = a[i] op b[i] on equal lengths; `out` may be `a` or `b`. */
  binary(op: BinaryOp, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer): void;
  /** out = a op b with NumPy broadcasting of the two shapes; `out` (of the broadcast shape) must be neither input. */
  binaryBroadcast(
    op: BinaryOp, a: WasmBuffer, aShape: readonly number[],
    b: WasmBuffer, bShape: readonly number[], out: WasmBuffer,
  ): void;
  /** out = a op b walked through any strides (see StridedLayout); `out` must be neither input. */
  binaryStrided(op: BinaryOp, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, layout: StridedLayout): void;
  /** out[i] = op(x[i]); `out` may be `x`. */
  unary(op: UnaryOp, x: WasmBuffer, out: WasmBuffer): void;
  /** out[outer, inner] = op over the middle axis of x[outer, axis, inner]; `out` must not be `x`. */
  reduce(op: ReduceOp, x: WasmBuffer, out: WasmBuffer, dims: ReduceDims): void;
  /** Numerically stable softmax of each row; `out` may be `x`. */
  softmax(x: WasmBuffer, out: WasmBuffer, dims: MatrixDims): void;
  /** out[cols, rows] = x[rows, cols] transposed; `out` must not be `x`. */
  transpose(x: WasmBuffer, out: WasmBuffer, dims: MatrixDims): void;

  /** The same kernels on plain arrays: each call copies its inputs in and its result out. */
  readonly arrays: ArrayKernels;
}

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
