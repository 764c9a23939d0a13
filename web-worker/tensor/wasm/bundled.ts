import relaxedInline from './kernels-relaxed.wasm?url&inline';
import simdInline from './kernels.wasm?url&inline';
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
 * The kernels built into this app. Both builds (16 KB each) are inlined in the bundle as data
 * URLs, because the task Web Worker that uses them starts from a `blob:` URL in an opaque-origin
 * sandbox: it has no address to fetch an asset from, and may fetch nothing. Browser only; Node
 * passes a file's bytes to `loadWasmKernels` instead.
 * @param build which build @default bestBundledBuild()
 * @example const kernels = await loadBundledWasmKernels();
 */
export function loadBundledWasmKernels(build: BundledKernelBuild = bestBundledBuild()): Promise<WasmKernels> {
  return loadWasmKernels(dataUrlBytes(build === 'relaxed' ? relaxedInline : simdInline));
}

/** The bytes of a base64 `data:` URL. */
function dataUrlBytes(url: string): Uint8Array<ArrayBuffer> {
  const base64 = url.slice(url.indexOf(',') + 1);
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}
