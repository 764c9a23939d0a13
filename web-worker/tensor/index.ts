/**
 * The volunteer side of the tensor core: the WebGPU and WASM backends, and the choice of
 * backend for `ctx.tensor` — measured at join by `selectTensorBackends` (the fastest backend
 * for a task's size), or fixed by `createTensorCore`.
 * @example
 * const { core, choice } = await selectTensorBackends();
 * console.log(core.backendName, choice.figures); // 'wasm', [{ backend: 'webgpu', size: 128, gflops: ... }, ...]
 */
import { TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import { isWebGpuUnavailableError } from './errors.js';
import { loadWasmBackend } from './wasm-backend/index.js';
import { type WebGpuBackendOptions, createWebGpuBackend } from './webgpu/backend.js';

export { WebGpuError, WebGpuUnavailableError, isWebGpuError, isWebGpuUnavailableError } from './errors.js';
export { createWebGpuBackend, type MatmulKernel, type WebGpuBackend, type WebGpuBackendOptions, type WebGpuStats } from './webgpu/backend.js';
export type { AdapterDescription } from './webgpu/device.js';
export { matmulTuneKey, settleMatmul, tuneMatmul, type MatmulTune, type TuneOptions, type WebGpuMatmulChoice } from './webgpu/autotune.js';
export { MATMUL_CONFIGS, configsWithin, type MatmulConfig, type MatmulLimits } from './webgpu/matmul-configs.js';
export { MATMUL_TUNES_ITEM, MatmulTunes, readMatmulTunes, rememberMatmulTune, type TuneStorage } from './webgpu/tune-cache.js';
export { createWasmBackend, loadWasmBackend, type WasmBackend, type WasmBackendStats } from './wasm-backend/index.js';
export * from './select/index.js';
export type * from './lab-protocol.js';

/** Options of `createTensorCore`. */
export interface TensorCoreOptions extends WebGpuBackendOptions {
  /** `wasm` or `cpu` skip WebGPU even where it exists. @default 'webgpu' */
  readonly prefer?: 'webgpu' | 'wasm' | 'cpu';
}

/**
 * A tensor core on one backend without measuring: the preferred one, else the CPU reference
 * when WebGPU has no adapter. `selectTensorBackends` measures and picks instead.
 * @example const tensor = await createTensorCore({ prefer: 'wasm' });
 */
export async function createTensorCore(options: TensorCoreOptions = {}): Promise<TensorCore> {
  if (options.prefer === 'cpu') return new TensorCore(createCpuBackend());
  if (options.prefer === 'wasm') return new TensorCore(await loadWasmBackend());
  try {
    return new TensorCore(await createWebGpuBackend(options));
  } catch (error) {
    if (isWebGpuUnavailableError(error)) return new TensorCore(createCpuBackend());
    throw error;
  }
}
