import relaxedInline from './kernels-relaxed.wasm?url&inline';
import threadedRelaxedInline from './kernels-threaded-relaxed.wasm?url&inline';
import threadedInline from './kernels-threaded.wasm?url&inline';
import simdInline from './kernels.wasm?url&inline';
import { loadThreadedWasmKernels, loadWasmKernels, type WasmKernels } from './kernels.js';
import { WasmLoadError } from './errors.js';
import { supportsRelaxedSimd } from './module.js';
import { canSpawnKernelThreads, spawnKernelThread } from './threads/spawn.js';

/** Which of the two bundled single-threaded builds to load. */
export type BundledKernelBuild = 'simd' | 'relaxed';

/** Most threads the bundled threaded kernels use, however many cores the machine has. */
export const MAX_KERNEL_THREADS = 16;

/**
 * The build this engine runs best: `relaxed` (fused multiply-add matmul) where relaxed SIMD
 * validates, else `simd`. @example bestBundledBuild() // 'relaxed' in Chrome 114+
 */
export function bestBundledBuild(): BundledKernelBuild {
  return supportsRelaxedSimd() ? 'relaxed' : 'simd';
}

/**
 * The kernels built into this app. The builds (16 KB each) are inlined in the bundle as data
 * URLs, because the task Web Worker that uses them may fetch nothing (its Content Security
 * Policy says `connect-src 'none'`). Browser only; Node passes a file's bytes to
 * `loadWasmKernels` instead.
 * @param build which build @default bestBundledBuild()
 * @example const kernels = await loadBundledWasmKernels();
 */
export function loadBundledWasmKernels(build: BundledKernelBuild = bestBundledBuild()): Promise<WasmKernels> {
  return loadWasmKernels(dataUrlBytes(build === 'relaxed' ? relaxedInline : simdInline));
}

/**
 * Why the threaded kernels cannot run in this scope, or undefined when they can: they need
 * `SharedArrayBuffer` (a cross-origin isolated page or worker) and the ability to start Workers.
 * @example threadedKernelsMissing() // 'not cross-origin isolated (no SharedArrayBuffer)' on a plain page
 */
export function threadedKernelsMissing(): string | undefined {
  if (globalThis.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function') return 'not cross-origin isolated (no SharedArrayBuffer)';
  if (!canSpawnKernelThreads()) return 'this scope cannot start Web Workers';
  return undefined;
}

/**
 * The threaded kernels built into this app (relaxed SIMD where the engine runs it), able to split
 * an op across up to `maxThreads` threads: the cores the browser reports, at most
 * {@link MAX_KERNEL_THREADS}. They run on one thread until `threads` is set. Rejects with
 * `WasmLoadError` where the engine lacks WebAssembly threads; check
 * {@link threadedKernelsMissing} first.
 * @example const kernels = await loadBundledThreadedKernels(); kernels.threads = kernels.maxThreads;
 */
export async function loadBundledThreadedKernels(maxThreads = defaultKernelThreads()): Promise<WasmKernels> {
  const missing = threadedKernelsMissing();
  if (missing !== undefined) throw new WasmLoadError(`the threaded WebAssembly kernels cannot run here: ${missing}`);
  const bytes = dataUrlBytes(supportsRelaxedSimd() ? threadedRelaxedInline : threadedInline);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (error) {
    throw new WasmLoadError(`cannot compile the threaded WebAssembly kernels: ${String(error)}`, { cause: error });
  }
  return loadThreadedWasmKernels(module, { maxThreads, spawn: spawnKernelThread });
}

/** The cores the browser reports, at most {@link MAX_KERNEL_THREADS}. */
export function defaultKernelThreads(): number {
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_KERNEL_THREADS, cores));
}

/** The bytes of a base64 `data:` URL. */
function dataUrlBytes(url: string): Uint8Array<ArrayBuffer> {
  const base64 = url.slice(url.indexOf(',') + 1);
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}
