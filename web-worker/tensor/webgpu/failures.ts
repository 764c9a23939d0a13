import { OutOfMemoryError } from '../../../shared/tensor/index.js';
import { WebGpuError } from '../errors.js';
import type { BatchFailure } from './recorder.js';

/**
 * The project error for what a batch's error scopes caught: `OutOfMemoryError` for the
 * out-of-memory scope, `WebGpuError` for validation; the `GPUError` is the cause.
 * @example throw errorForFailure({ kind: 'out-of-memory', error: gpuError })
 */
export function errorForFailure(failure: BatchFailure): Error {
  if (failure.kind === 'out-of-memory') {
    return new OutOfMemoryError(`webgpu: out of GPU memory: ${failure.error.message}`, { cause: failure.error });
  }
  return new WebGpuError(`webgpu: the GPU rejected work: ${failure.error.message}`, { cause: failure.error });
}
