import {
  type AxisPlan,
  type BinaryOp,
  type BinaryParams,
  type ComputeBackend,
  type ConcatPlan,
  type CrossEntropyPlan,
  type CrossEntropyResult,
  type MatmulParams,
  OutOfMemoryError,
  type PermuteParams,
  type ReduceOp,
  type SliceParams,
  type StorageId,
  type UnaryOp,
  crossEntropyReference,
  sizeOf,
} from '../../../shared/tensor/index.js';
import { type WasmBuffer, type WasmKernels, WasmKernelError, isWasmMemoryError, mergeDimensions } from '../wasm/index.js';
import { concatInto, permuteInto, reluGradInto, sliceInto } from './layout-ops.js';
import { softmaxInto } from './softmax.js';

/**
 * WebAssembly memory is 32-bit (4 GiB at most): a tensor of 2^28 f32 values (1 GiB) still
 * leaves room for its inputs; bigger ones throw `TensorTooLargeError` before any work.
 */
const WASM_MAX_ELEMENTS = 2 ** 28;

/** What tests and the lab page read beyond `ComputeBackend`. */
export interface WasmBackendStats {
  readonly liveStorages: number;
  /** Bytes held by live tensors and the kernels' scratch. */
  readonly bytesInUse: number;
  /** The WebAssembly memory's whole size (it grows, never shrinks). */
  readonly memoryBytes: number;
}

/** The WASM compute backend, with what tests and benchmarks need beyond `ComputeBackend`. */
export interface WasmBackend extends ComputeBackend {
  readonly name: 'wasm';
  stats(): WasmBackendStats;
  /**
   * Threads each op may be split across from now on (its kernels' `threads`): 1 up to
   * `maxThreads`, clamped. A tab sets it per task: all of them for one heavy task at a time. @default 1
   */
  threads: number;
  /** 1 on the single-threaded kernels; on the threaded ones, the calling thread and its helpers. */
  readonly maxThreads: number;
  /** Threads an op can use now (helper threads start in the background when `threads` is raised). */
  readonly threadsReady: number;
  /** Sets `threads` and resolves with `threadsReady` once its helper threads are up (see `WasmKernels.startThreads`). */
  startThreads(count: number, timeoutMs?: number): Promise<number>;
}

/**
 * A compute backend on the WebAssembly SIMD kernels, every tensor resident in the module's
 * memory (a `StorageId` names a `WasmBuffer`; `dispose` frees it), so a chain of ops copies
 * nothing in or out until `download`. Ops run at once, on the calling thread, or split across
 * `threads` threads on the threaded kernels (the calling thread waits for its helpers). Where the kernels
 * have no kernel for an op (general permutes, slices, concat, `reluGrad`, the fused
 * cross-entropy), the op copies its inputs out and runs the CPU reference on them. Memory that
 * cannot grow becomes `OutOfMemoryError` (the `WasmMemoryError` as its cause); the backend
 * stays usable once tensors are disposed.
 * @example
 * const core = new TensorCore(createWasmBackend(await loadBundledWasmKernels()));
 * await core.matmul(core.tensor([1, 2, 3, 4], [2, 2]), core.tensor([1, 0, 0, 1], [2, 2])).data(); // [1, 2, 3, 4]
 */
export function createWasmBackend(kernels: WasmKernels): WasmBackend {
  return new WasmComputeBackend(kernels);
}

class WasmComputeBackend implements WasmBackend {
  readonly name = 'wasm';
  readonly maxElements = WASM_MAX_ELEMENTS;
  readonly #kernels: WasmKernels;
  readonly #buffers = new Map<StorageId, WasmBuffer>();
  #nextId = 1;
  #destroyed = false;

  constructor(kernels: WasmKernels) {
    this.#kernels = kernels;
  }

  get threads(): number {
    return this.#kernels.threads;
  }

  set threads(count: number) {
    this.#kernels.threads = count;
  }

  get maxThreads(): number {
    return this.#kernels.maxThreads;
  }

  get threadsReady(): number {
    return this.#kernels.threadsReady;
  }

  startThreads(count: number, timeoutMs?: number): Promise<number> {
    return this.#kernels.startThreads(count, timeoutMs);
  }

  upload(values: Float32Array): StorageId {
    return this.#produce(values.length, (out) => this.#kernels.write(out, values));
  }

  download(id: StorageId): Promise<Float32Array> {
    // Read now, not in a later microtask: the tensor may be disposed right after `data()` is called.
    try {
      return Promise.resolve(this.#kernels.read(this.#buffer(id)));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  dispose(id: StorageId): void {
    const buffer = this.#buffers.get(id);
    if (buffer === undefined) return;
    this.#buffers.delete(id);
    this.#kernels.free(buffer);
  }

  matmul(a: StorageId, b: StorageId, params: MatmulParams): StorageId {
    const { batch, m, k, n, transposeA, transposeB } = params;
    return this.#produce(batch * m * n, (out) => {
      if (out.length === 0) return;
      // An empty sum is 0; the kernel is not asked to multiply nothing.
      if (k === 0) return this.#kernels.write(out, new Float32Array(out.length));
      this.#kernels.matmul(this.#buffer(a), this.#buffer(b), out, {
        m, k, n, batch, transposeA, transposeB,
        broadcastA: params.aBatchStride === 0,
        broadcastB: params.bBatchStride === 0,
      });
    });
  }

  binary(op: BinaryOp, a: StorageId, b: StorageId, params: BinaryParams): StorageId {
    const [left, right] = [this.#buffer(a), this.#buffer(b)];
    return this.#produce(sizeOf(params.outShape), (out) => {
      if (op === 'reluGrad') return reluGradInto(this.#kernels, left, right, out, params);
      if (out.length === 0) return;
      const layout = mergeDimensions({ shape: params.outShape, aStrides: params.aStrides, bStrides: params.bStrides });
      const contiguous = layout.shape.length === 1 && layout.aStrides[0] === 1 && layout.bStrides[0] === 1;
      if (contiguous) this.#kernels.binary(op, left, right, out);
      else this.#kernels.binaryStrided(op, left, right, out, layout);
    });
  }

  unary(op: UnaryOp, x: StorageId, size: number): StorageId {
    const input = this.#buffer(x);
    return this.#produce(size, (out) => this.#kernels.unary(op, input, out));
  }

  reduce(op: ReduceOp, x: StorageId, params: AxisPlan): StorageId {
    const input = this.#buffer(x);
    const dims = { outer: params.outer, axisLength: params.size, inner: params.inner };
    return this.#produce(params.outer * params.inner, (out) => this.#kernels.reduce(op, input, out, dims));
  }

  softmax(x: StorageId, params: AxisPlan): StorageId {
    const input = this.#buffer(x);
    return this.#produce(input.length, (out) => softmaxInto(this.#kernels, input, out, params));
  }

  permute(x: StorageId, params: PermuteParams): StorageId {
    const input = this.#buffer(x);
    return this.#produce(input.length, (out) => permuteInto(this.#kernels, input, out, params));
  }

  slice(x: StorageId, params: SliceParams): StorageId {
    const input = this.#buffer(x);
    return this.#produce(sizeOf(params.outShape), (out) => sliceInto(this.#kernels, input, out, params));
  }

  concat(inputs: readonly StorageId[], params: Omit<ConcatPlan, 'outShape'>): StorageId {
    const buffers = inputs.map((id) => this.#buffer(id));
    const length = params.outer * params.inner * params.sizes.reduce((total, size) => total + size, 0);
    return this.#produce(length, (out) => concatInto(this.#kernels, buffers, out, params));
  }

  softmaxCrossEntropy(logits: StorageId, labels: StorageId, params: CrossEntropyPlan): CrossEntropyResult {
    // Logits are [batch, classes], small next to the matmuls that make them: the reference is fine here.
    const result = crossEntropyReference(this.#kernels.read(this.#buffer(logits)), this.#kernels.read(this.#buffer(labels)), params);
    const rowLoss = this.upload(result.rowLoss);
    try {
      return { rowLoss, dLogits: this.upload(result.dLogits) };
    } catch (error) {
      this.dispose(rowLoss);
      throw error;
    }
  }

  stats(): WasmBackendStats {
    return { liveStorages: this.#buffers.size, ...this.#kernels.memoryUsage() };
  }

  destroy(): void {
    for (const buffer of this.#buffers.values()) this.#kernels.free(buffer);
    this.#buffers.clear();
    this.#kernels.close();
    this.#destroyed = true;
  }

  /** Allocates `length` values, lets `fill` write them all, and names the buffer; frees it if `fill` throws. */
  #produce(length: number, fill: (out: WasmBuffer) => void): StorageId {
    this.#assertUsable();
    const out = this.#translate(() => this.#kernels.alloc(length));
    try {
      this.#translate(() => fill(out));
    } catch (error) {
      this.#kernels.free(out);
      throw error;
    }
    const id = this.#nextId++;
    this.#buffers.set(id, out);
    return id;
  }

  /** Runs `work`, turning a memory that cannot grow into the tensor core's `OutOfMemoryError`. */
  #translate<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (isWasmMemoryError(error)) throw new OutOfMemoryError(`wasm: out of WebAssembly memory: ${error.message}`, { cause: error });
      throw error;
    }
  }

  #buffer(id: StorageId): WasmBuffer {
    this.#assertUsable();
    const buffer = this.#buffers.get(id);
    if (buffer === undefined) throw new RangeError(`wasm backend: no storage ${id} (disposed, or from another backend)`);
    return buffer;
  }

  #assertUsable(): void {
    if (this.#destroyed) throw new WasmKernelError('wasm backend: this backend was destroyed');
  }
}
