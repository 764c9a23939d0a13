import { createArrayKernels, type ArrayKernels } from './array-kernels.js';
import type { MatmulDims, MatrixDims, ReduceDims, WasmBuffer, WasmKernels } from './kernel-types.js';

export type { MatmulDims, MatrixDims, ReduceDims, WasmBuffer, WasmKernels };
import { WasmKernelError } from './errors.js';
import { LinearHeap } from './heap.js';
import { broadcastLayout, elementCount, type StridedLayout } from './layout.js';
import { createSharedMemory, instantiateKernelModule, type KernelExports, type WasmKernelSource } from './module.js';
import { KernelPool, type KernelThreadPort } from './threads/pool.js';
import { ThreadedExports } from './threads/threaded-exports.js';
import {
  BINARY_CODES, MAX_STRIDED_RANK, REDUCE_CODES, UNARY_CODES,
  type BinaryOp, type ReduceOp, type UnaryOp,
} from './ops.js';


/**
 * Compiles and instantiates the kernels' module: from a URL (streamed), raw bytes (as Node
 * reads them from disk) or an already compiled `WebAssembly.Module`.
 * @example const kernels = await loadWasmKernels(await readFile('web-worker/tensor/wasm/kernels.wasm'));
 */
export async function loadWasmKernels(source: WasmKernelSource): Promise<WasmKernels> {
  return new ResidentKernels(await instantiateKernelModule(source));
}

/** Options of {@link loadThreadedWasmKernels}. */
export interface ThreadedKernelsOptions {
  /** Most threads an op may use, the calling thread included. */
  readonly maxThreads: number;
  /** Starts one helper thread (`spawnKernelThread` in a browser). */
  readonly spawn: () => KernelThreadPort;
}

/**
 * Kernels from a threaded build (`kernels-threaded*.wasm`), over a new shared memory that helper
 * threads instantiate the same module over: `threads` (1 until set) says how many threads an op
 * is split across. Needs `SharedArrayBuffer`, so a cross-origin isolated page or worker.
 * @example
 * const kernels = await loadThreadedWasmKernels(module, { maxThreads: navigator.hardwareConcurrency, spawn: spawnKernelThread });
 * kernels.threads = kernels.maxThreads;
 */
export async function loadThreadedWasmKernels(module: WebAssembly.Module, options: ThreadedKernelsOptions): Promise<WasmKernels> {
  const memory = createSharedMemory();
  const exports = await instantiateKernelModule(module, memory);
  const pool = new KernelPool({ module, memory, helpers: Math.max(0, options.maxThreads - 1), spawn: options.spawn });
  return new ResidentKernels(new ThreadedExports(exports, pool));
}

/** The exports' thread control, present on the threaded build's. */
interface ThreadControl {
  threads: number;
  readonly maxThreads: number;
  readonly threadsReady: number;
  startThreads(count: number, timeoutMs?: number): Promise<number>;
  close(): void;
}

class Resident implements WasmBuffer {
  constructor(readonly length: number, readonly address: number) {}
}

class ResidentKernels implements WasmKernels {
  readonly arrays: ArrayKernels;
  readonly #exports: KernelExports;
  readonly #threading: ThreadControl | undefined;
  readonly #heap: LinearHeap;
  readonly #live = new Set<WasmBuffer>();
  // i32 shape, two stride arrays and the walk's counters for binaryStrided, allocated once.
  readonly #layoutScratch: number;
  #matmulWorkspace: number | undefined;

  constructor(exports: KernelExports | ThreadedExports) {
    this.#exports = exports;
    this.#threading = exports instanceof ThreadedExports ? exports : undefined;
    this.#heap = new LinearHeap(exports.memory, exports.heapBase());
    this.#layoutScratch = this.#heap.allocate(4 * MAX_STRIDED_RANK * 4);
    this.arrays = createArrayKernels(this);
  }

  get threads(): number {
    return this.#threading?.threads ?? 1;
  }

  set threads(count: number) {
    if (this.#threading !== undefined) this.#threading.threads = count;
  }

  get maxThreads(): number {
    return this.#threading?.maxThreads ?? 1;
  }

  get threadsReady(): number {
    return this.#threading?.threadsReady ?? 1;
  }

  startThreads(count: number, timeoutMs?: number): Promise<number> {
    return this.#threading?.startThreads(count, timeoutMs) ?? Promise.resolve(1);
  }

  close(): void {
    this.#threading?.close();
  }

  alloc(length: number): WasmBuffer {
    checkCount('alloc length', length);
    const buffer = new Resident(length, this.#heap.allocate(length * 4));
    this.#live.add(buffer);
    return buffer;
  }

  write(buffer: WasmBuffer, data: Float32Array, offset = 0): void {
    const address = this.#address(buffer);
    if (!Number.isInteger(offset) || offset < 0 || offset + data.length > buffer.length) {
      throw new WasmKernelError(`cannot write ${data.length} values at ${offset} into a buffer of ${buffer.length}`);
    }
    this.#view(address + offset * 4, data.length).set(data);
  }

  read(buffer: WasmBuffer): Float32Array {
    return this.#view(this.#address(buffer), buffer.length).slice();
  }

  free(buffer: WasmBuffer): void {
    const address = this.#address(buffer);
    this.#live.delete(buffer);
    this.#heap.release(address, buffer.length * 4);
  }

  memoryUsage(): { bytesInUse: number; memoryBytes: number } {
    return { bytesInUse: this.#heap.bytesInUse, memoryBytes: this.#exports.memory.buffer.byteLength };
  }

  matmul(a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, dims: MatmulDims): void {
    const { m, k, n, batch = 1, transposeA = false, transposeB = false } = dims;
    for (const [name, value] of Object.entries({ m, k, n, batch })) checkCount(`matmul ${name}`, value);
    const aLength = m * k * (dims.broadcastA === true ? 1 : batch);
    const bLength = k * n * (dims.broadcastB === true ? 1 : batch);
    this.#expectLength('matmul a', a, aLength);
    this.#expectLength('matmul b', b, bLength);
    this.#expectLength('matmul out', out, batch * m * n);
    expectDistinct('matmul', out, a, b);
    const workspace = (this.#matmulWorkspace ??= this.#heap.allocate(this.#exports.matmulWorkspaceBytes()));
    // Element (i, p) of a is at i * rsa + p * csa; a transposed matrix just swaps the strides.
    const [rsa, csa] = transposeA ? [1, m] : [k, 1];
    const [rsb, csb] = transposeB ? [1, k] : [n, 1];
    this.#exports.matmulBatched(
      this.#address(a), this.#address(b), this.#address(out), batch, m, k, n,
      rsa, csa, rsb, csb,
      dims.broadcastA === true ? 0 : m * k, dims.broadcastB === true ? 0 : k * n, workspace,
    );
  }

  binary(op: BinaryOp, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer): void {
    this.#expectLength(`${op} b`, b, a.length);
    this.#expectLength(`${op} out`, out, a.length);
    this.#exports.binary(BINARY_CODES[op], this.#address(a), this.#address(b), this.#address(out), a.length);
  }

  binaryBroadcast(
    op: BinaryOp, a: WasmBuffer, aShape: readonly number[],
    b: WasmBuffer, bShape: readonly number[], out: WasmBuffer,
  ): void {
    this.#expectLength(`${op} a`, a, elementCount(aShape));
    this.#expectLength(`${op} b`, b, elementCount(bShape));
    this.binaryStrided(op, a, b, out, broadcastLayout(aShape, bShape));
  }

  binaryStrided(op: BinaryOp, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, layout: StridedLayout): void {
    const { shape, aStrides, bStrides } = layout;
    const rank = shape.length;
    if (rank < 1 || rank > MAX_STRIDED_RANK || aStrides.length !== rank || bStrides.length !== rank) {
      throw new WasmKernelError(`${op}: a strided layout needs 1 to ${MAX_STRIDED_RANK} dimensions, each with two strides`);
    }
    shape.forEach((size) => checkCount(`${op} shape`, size));
    [...aStrides, ...bStrides].forEach((stride) => checkCount(`${op} stride`, stride));
    this.#expectLength(`${op} out`, out, elementCount(shape));
    expectDistinct(op, out, a, b);
    if (out.length === 0) return;
    this.#expectReach(`${op} a`, a, shape, aStrides);
    this.#expectReach(`${op} b`, b, shape, bStrides);
    const scratch = new Int32Array(this.#exports.memory.buffer, this.#layoutScratch, 3 * MAX_STRIDED_RANK);
    scratch.set(shape, 0);
    scratch.set(aStrides, MAX_STRIDED_RANK);
    scratch.set(bStrides, 2 * MAX_STRIDED_RANK);
    this.#exports.binaryStrided(
      BINARY_CODES[op], this.#address(a), this.#address(b), this.#address(out), rank,
      this.#layoutScratch, this.#layoutScratch + MAX_STRIDED_RANK * 4, this.#layoutScratch + 2 * MAX_STRIDED_RANK * 4,
      this.#layoutScratch + 3 * MAX_STRIDED_RANK * 4,
    );
  }

  unary(op: UnaryOp, x: WasmBuffer, out: WasmBuffer): void {
    this.#expectLength(`${op} out`, out, x.length);
    this.#exports.unary(UNARY_CODES[op], this.#address(x), this.#address(out), x.length);
  }

  reduce(op: ReduceOp, x: WasmBuffer, out: WasmBuffer, dims: ReduceDims): void {
    const { outer, axisLength, inner } = dims;
    for (const [name, value] of Object.entries(dims)) checkCount(`${op} ${name}`, value as number);
    this.#expectLength(`${op} x`, x, outer * axisLength * inner);
    this.#expectLength(`${op} out`, out, outer * inner);
    expectDistinct(op, out, x);
    this.#exports.reduce(REDUCE_CODES[op], this.#address(x), this.#address(out), outer, axisLength, inner);
  }

  softmax(x: WasmBuffer, out: WasmBuffer, dims: MatrixDims): void {
    this.#expectMatrix('softmax', x, out, dims);
    this.#exports.softmax(this.#address(x), this.#address(out), dims.rows, dims.cols);
  }

  transpose(x: WasmBuffer, out: WasmBuffer, dims: MatrixDims): void {
    this.#expectMatrix('transpose', x, out, dims);
    expectDistinct('transpose', out, x);
    this.#exports.transpose(this.#address(x), this.#address(out), dims.rows, dims.cols);
  }

  #expectMatrix(op: string, x: WasmBuffer, out: WasmBuffer, dims: MatrixDims): void {
    checkCount(`${op} rows`, dims.rows);
    checkCount(`${op} cols`, dims.cols);
    this.#expectLength(`${op} x`, x, dims.rows * dims.cols);
    this.#expectLength(`${op} out`, out, dims.rows * dims.cols);
  }

  #expectLength(what: string, buffer: WasmBuffer, length: number): void {
    this.#address(buffer);
    if (buffer.length !== length) {
      throw new WasmKernelError(`${what} has ${buffer.length} values where ${length} are needed`);
    }
  }

  // The farthest element a strided walk reads must lie inside the buffer.
  #expectReach(what: string, buffer: WasmBuffer, shape: readonly number[], strides: readonly number[]): void {
    const last = shape.reduce((sum, size, d) => sum + (size - 1) * (strides[d] ?? 0), 0);
    if (last >= buffer.length) {
      throw new WasmKernelError(`${what}: the layout reaches element ${last} of a buffer of ${buffer.length}`);
    }
  }

  #address(buffer: WasmBuffer): number {
    if (!(buffer instanceof Resident) || !this.#live.has(buffer)) {
      throw new WasmKernelError('the buffer was freed, or was made by other WasmKernels');
    }
    return buffer.address;
  }

  // A fresh view every time: growing the memory detaches the old ArrayBuffer.
  #view(address: number, length: number): Float32Array {
    return new Float32Array(this.#exports.memory.buffer, address, length);
  }
}

function checkCount(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new WasmKernelError(`${what} must be a whole number from 0 to 2^31 - 1, not ${value}`);
  }
}

function expectDistinct(op: string, out: WasmBuffer, ...inputs: WasmBuffer[]): void {
  if (inputs.includes(out)) throw new WasmKernelError(`${op}: out must be a buffer other than its inputs`);
}
