/**
 * The tensor core's errors. Each has a constant `name` and an `isX()` guard that compares it,
 * so a check still works when the error crossed a realm (a Web Worker, an iframe) or was
 * rebuilt from a message.
 */
import { hasErrorName } from '../error-name.js';

/**
 * Shapes that an op cannot combine; the message names the op and the shapes.
 * @example throw new ShapeError('matmul: inner dimensions differ: [17,33] x [34,65]')
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

/**
 * A dtype other than `'f32'`, or values in an array type the core does not take.
 * @example throw new DTypeError('tensor: dtype i32 is not supported; tensors are f32')
 */
export class DTypeError extends Error {
  override readonly name = 'DTypeError';
}

/**
 * A tensor larger than the backend can hold in one buffer (WebGPU: `maxStorageBufferBindingSize` / `maxBufferSize`).
 * @example throw new TensorTooLargeError('matmul: [32768,32768] has 1073741824 elements, more than the 268435456 one webgpu buffer holds')
 */
export class TensorTooLargeError extends Error {
  override readonly name = 'TensorTooLargeError';
}

/**
 * The GPU device was lost (driver reset, tab in background, `device.destroy()`); this backend is done, a new one may work.
 * @example throw new DeviceLostError('webgpu: device lost (destroyed)', { cause: lostInfo })
 */
export class DeviceLostError extends Error {
  override readonly name = 'DeviceLostError';
}

/**
 * The device could not allocate memory for a tensor.
 * @example throw new OutOfMemoryError('webgpu: out of GPU memory', { cause: gpuError })
 */
export class OutOfMemoryError extends Error {
  override readonly name = 'OutOfMemoryError';
}

/**
 * A tensor used after `dispose()`.
 * @example throw new DisposedTensorError('relu: tensor [4] was disposed')
 */
export class DisposedTensorError extends Error {
  override readonly name = 'DisposedTensorError';
}


/** @example if (isShapeError(error)) console.log(error.message) */
export function isShapeError(error: unknown): error is ShapeError {
  return hasErrorName(error, 'ShapeError');
}

/** @example if (isDTypeError(error)) values = Float32Array.from(values) */
export function isDTypeError(error: unknown): error is DTypeError {
  return hasErrorName(error, 'DTypeError');
}

/** @example if (isTensorTooLargeError(error)) splitIntoTiles() */
export function isTensorTooLargeError(error: unknown): error is TensorTooLargeError {
  return hasErrorName(error, 'TensorTooLargeError');
}

/** @example if (isDeviceLostError(error)) core = new TensorCore(await createWebGpuBackend()) */
export function isDeviceLostError(error: unknown): error is DeviceLostError {
  return hasErrorName(error, 'DeviceLostError');
}

/** @example if (isOutOfMemoryError(error)) batchSize /= 2 */
export function isOutOfMemoryError(error: unknown): error is OutOfMemoryError {
  return hasErrorName(error, 'OutOfMemoryError');
}

/** @example if (isDisposedTensorError(error)) console.log('kept a tensor too long') */
export function isDisposedTensorError(error: unknown): error is DisposedTensorError {
  return hasErrorName(error, 'DisposedTensorError');
}

/**
 * A tensor passed to a `TensorCore` other than the one that made it.
 * @example throw new BackendMismatchError('add: a tensor [2] belongs to another tensor core (cpu)')
 */
export class BackendMismatchError extends Error {
  override readonly name = 'BackendMismatchError';
}

/** @example if (isBackendMismatchError(error)) console.log('tensor from another core') */
export function isBackendMismatchError(error: unknown): error is BackendMismatchError {
  return hasErrorName(error, 'BackendMismatchError');
}
