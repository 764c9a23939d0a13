/**
 * The volunteer side of the tensor core: the WebGPU backend and the choice of backend for
 * `ctx.tensor` (WebGPU when the browser grants a device, else the CPU reference).
 * @example
 * const tensor = await createTensorCore();
 * console.log(tensor.backendName); // 'webgpu' or 'cpu'
 */
import { TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import { isWebGpuUnavailableError } from './errors.js';
import { type WebGpuBackendOptions, createWebGpuBackend } from './webgpu/backend.js';

export { WebGpuError, WebGpuUnavailableError, isWebGpuError, isWebGpuUnavailableError } from './errors.js';
export { createWebGpuBackend, type MatmulKernel, type WebGpuBackend, type WebGpuBackendOptions, type WebGpuStats } from './webgpu/backend.js';
export type { AdapterDescription } from './webgpu/device.js';
export type * from './lab-protocol.js';

/** Options of `createTensorCore`. */
export interface TensorCoreOptions extends WebGpuBackendOptions {
  /** `cpu` skips WebGPU even where it exists. @default 'webgpu' */
  readonly prefer?: 'webgpu' | 'cpu';
}

/**
 * A tensor core on WebGPU when this browser has it, else on the CPU reference backend.
 * @example const tensor = await createTensorCore({ prefer: 'webgpu' });
 */
export async function createTensorCore(options: TensorCoreOptions = {}): Promise<TensorCore> {
  if (options.prefer === 'cpu') return new TensorCore(createCpuBackend());
  try {
    return new TensorCore(await createWebGpuBackend(options));
  } catch (error) {
    if (isWebGpuUnavailableError(error)) return new TensorCore(createCpuBackend());
    throw error;
  }
}
