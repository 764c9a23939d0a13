import relaxedUrl from './kernels-relaxed.wasm?url';
import simdUrl from './kernels.wasm?url';
import { loadWasmKernels, type WasmKernels } from './kernels.js';
import { supportsRelaxedSimd } from './module.js';

/** Which of the two bundled builds to load. */
export type BundledKernelBuild = 'simd' | 'relaxed';

/**
 * The build this engine runs best: `relaxed` (fused multiply-add matmul) where relaxed SIMD
 * validates, else `simd`. @example bestBundledBuild() // 'relaxed' in Chrome 114+
 */
export function bestBundledBuild(): BundledKernelBuild {
  return supportsRelaxedSimd() ? 'relaxed' : 'simd';
}

/**
 * The kernels built into this app: Vite serves both .wasm builds as assets and the browser
 * compiles the chosen one while it downloads. Browser only; Node passes a file's bytes to
 * `loadWasmKernels` instead.
 * @param build which build @default bestBundledBuild()
 * @example const kernels = await loadBundledWasmKernels();
 */
export function loadBundledWasmKernels(build: BundledKernelBuild = bestBundledBuild()): Promise<WasmKernels> {
  const url = build === 'relaxed' ? relaxedUrl : simdUrl;
  return loadWasmKernels(new URL(url, globalThis.location.href));
}
