import type { ComputeBackend, StorageId } from './backend.js';
import { DisposedTensorError } from './errors.js';
import { type Shape, formatShape, sizeOf } from './shapes.js';

/** The one element type tensors have. */
export type DType = 'f32';

/**
 * A backend buffer shared by a tensor and its reshapes: freed when the last of them is disposed.
 * Made by `TensorCore`; task code never builds one.
 * @example const view = new Tensor([4], tensor.storage.retain());
 */
export class TensorStorage {
  #refs = 1;

  constructor(
    readonly backend: ComputeBackend,
    readonly id: StorageId,
  ) {}

  retain(): this {
    this.#refs++;
    return this;
  }

  release(): void {
    this.#refs--;
    if (this.#refs === 0) this.backend.dispose(this.id);
  }
}

/**
 * An n-dimensional array of f32 values that lives on its backend (GPU memory for WebGPU) until
 * read. Made by `TensorCore` (`ctx.tensor`) ops; reading back is explicit with `data()`.
 * @example
 * const x = ctx.tensor.tensor([1, 2, 3, 4], [2, 2]);
 * const y = ctx.tensor.relu(ctx.tensor.matmul(x, x));
 * console.log(y.shape, await y.data()); // [2, 2] Float32Array [7, 10, 15, 22]
 * x.dispose(); y.dispose();
 */
export class Tensor {
  readonly dtype: DType = 'f32';
  readonly shape: Shape;
  readonly size: number;
  readonly storage: TensorStorage;
  #disposed = false;

  constructor(shape: Shape, storage: TensorStorage) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.storage = storage;
  }

  get rank(): number {
    return this.shape.length;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * The values, row-major, once every op producing them has run on the device.
   * @example const [loss] = await lossTensor.data();
   */
  async data(): Promise<Float32Array> {
    this.assertLive('data');
    return this.storage.backend.download(this.storage.id);
  }

  /** Frees the device memory (shared with reshapes of this tensor until they are disposed too). Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.storage.release();
  }

  /** Throws `DisposedTensorError` naming `op` when this tensor was disposed. */
  assertLive(op: string): void {
    if (this.#disposed) throw new DisposedTensorError(`${op}: tensor ${formatShape(this.shape)} was disposed`);
  }
}
