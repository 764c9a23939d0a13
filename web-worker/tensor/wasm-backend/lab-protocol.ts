/**
 * What the threaded WASM lab page (`lab.html`) exposes as `window.wasmThreadsLab`, for the
 * browser tests of cross-origin isolation and the threaded kernels. Everything crosses as JSON.
 */

/** Whether this page can run the threaded kernels, and how many threads its backend has. */
export interface WasmThreadsStatus {
  readonly crossOriginIsolated: boolean;
  readonly sharedArrayBuffer: boolean;
  /** The backend's `maxThreads`: 1 on the single-threaded kernels. */
  readonly maxThreads: number;
  /** Threads ready for an op, once `threads` was raised and the helpers came up (or gave up). */
  readonly threadsReady: number;
}

/** An op on the WASM backend with `threads` threads, against the CPU reference. */
export interface WasmThreadsCheck {
  /** Threads the op could use when it ran. */
  readonly threadsUsed: number;
  /** `toleranceRatio` against the CPU reference backend: ≤ 1 holds. */
  readonly errorRatio: number;
}

/** Ops the lab checks: matmul of [m, k] by [k, n], and the big elementwise and reduction ops on [rows, cols]. */
export type WasmThreadsOp =
  | { readonly op: 'matmul'; readonly m: number; readonly k: number; readonly n: number; readonly batch?: number }
  | { readonly op: 'gelu' | 'mul' | 'softmax' | 'sumRows' | 'sumColumns'; readonly rows: number; readonly cols: number };

/** `window.wasmThreadsLab`. */
export interface WasmThreadsLab {
  /** Raises the backend's threads to `threads` (default all) and waits for its helpers to come up. */
  start(threads?: number): Promise<WasmThreadsStatus>;
  check(op: WasmThreadsOp): Promise<WasmThreadsCheck>;
}
