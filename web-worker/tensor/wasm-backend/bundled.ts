import { loadBundledWasmKernels } from '../wasm/bundled.js';
import { type WasmBackend, createWasmBackend } from './backend.js';

/**
 * The WASM backend on the kernels built into this app (the relaxed-SIMD build where the engine
 * runs it). Browser only (the module is a Vite asset); under Node pass kernels from
 * `loadWasmKernels(bytes)` to `createWasmBackend`. Rejects with `WasmLoadError` where
 * WebAssembly SIMD is missing.
 * @example const core = new TensorCore(await loadWasmBackend());
 */
export async function loadWasmBackend(): Promise<WasmBackend> {
  return createWasmBackend(await loadBundledWasmKernels());
}
