/**
 * Errors of the WebAssembly kernels. Each has a constant `name` and an `isX()` guard that
 * compares it, so a check still works on an error that crossed a realm (a Web Worker).
 */
import { hasErrorName } from '../../../shared/index.js';

/** A kernel was called wrongly: a freed or foreign buffer, or lengths that do not fit the dims. */
export class WasmKernelError extends Error {
  override readonly name = 'WasmKernelError';
}

/** The kernels' linear memory could not grow to hold a buffer (WebAssembly's 4 GiB, or the tab's own limit). */
export class WasmMemoryError extends Error {
  override readonly name = 'WasmMemoryError';
}

/** The kernels' module could not be fetched, compiled or instantiated, or lacks an export. */
export class WasmLoadError extends Error {
  override readonly name = 'WasmLoadError';
}


/** @example if (isWasmKernelError(error)) console.log(error.message) */
export function isWasmKernelError(error: unknown): error is WasmKernelError {
  return hasErrorName(error, 'WasmKernelError');
}

/** @example if (isWasmMemoryError(error)) kernels.free(cache) */
export function isWasmMemoryError(error: unknown): error is WasmMemoryError {
  return hasErrorName(error, 'WasmMemoryError');
}

/** @example if (isWasmLoadError(error)) useCpuBackend() */
export function isWasmLoadError(error: unknown): error is WasmLoadError {
  return hasErrorName(error, 'WasmLoadError');
}
