import { hasErrorName } from '../../shared/index.js';

/**
 * No WebGPU here: no `navigator.gpu` (an insecure context, an old browser) or no adapter.
 * @example throw new WebGpuUnavailableError('WebGPU is present but no adapter was granted')
 */
export class WebGpuUnavailableError extends Error {
  override readonly name = 'WebGpuUnavailableError';
}

/**
 * The GPU rejected work (a validation or internal error); the original `GPUError` is the `cause`.
 * @example throw new WebGpuError('webgpu: the GPU rejected work', { cause: gpuError })
 */
export class WebGpuError extends Error {
  override readonly name = 'WebGpuError';
}


/** @example if (isWebGpuUnavailableError(error)) core = new TensorCore(createCpuBackend()) */
export function isWebGpuUnavailableError(error: unknown): error is WebGpuUnavailableError {
  return hasErrorName(error, 'WebGpuUnavailableError');
}

/** @example if (isWebGpuError(error)) console.error(error.cause) */
export function isWebGpuError(error: unknown): error is WebGpuError {
  return hasErrorName(error, 'WebGpuError');
}
