import { loadBundledThreadedKernels, loadBundledWasmKernels, threadedKernelsMissing } from '../wasm/bundled.js';
import { type WasmBackend, createWasmBackend } from './backend.js';

/**
 * The WASM backend on the kernels built into this app (the relaxed-SIMD build where the engine
 * runs it): the threaded build where this scope is cross-origin isolated (one thread until
 * `threads` is set), else the single-threaded one. Browser only (the module is a Vite asset);
 * under Node pass kernels from `loadWasmKernels(bytes)` to `createWasmBackend`. Rejects with
 * `WasmLoadError` where WebAssembly SIMD is missing.
 * @param options.threads `false` keeps to the single-threaded build even where threads could run @default true
 * @example const core = new TensorCore(await loadWasmBackend());
 */
export async function loadWasmBackend(options: { threads?: boolean } = {}): Promise<WasmBackend> {
  if (options.threads !== false && threadedKernelsMissing() === undefined) {
    try {
      return createWasmBackend(await loadBundledThreadedKernels());
    } catch {
      // An engine with shared memory but no WebAssembly threads: one thread it is.
    }
  }
  return createWasmBackend(await loadBundledWasmKernels());
}
