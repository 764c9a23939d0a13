/**
 * The WASM compute backend: the tensor core's ops on the WebAssembly SIMD kernels
 * (`web-worker/tensor/wasm`), tensors resident in the module's memory.
 * @example
 * const core = new TensorCore(await loadWasmBackend());
 * console.log(core.backendName); // 'wasm'
 */
export { createWasmBackend, type WasmBackend, type WasmBackendStats } from './backend.js';
export { loadWasmBackend } from './bundled.js';
