import {
  type AxisPlan,
  type BinaryOp,
  type BinaryParams,
  type ComputeBackend,
  type ConcatPlan,
  type CrossEntropyPlan,
  type CrossEntropyResult,
  DeviceLostError,
  type MatmulParams,
  type PermuteParams,
  type ReduceOp,
  type SliceParams,
  type StorageId,
  type UnaryOp,
} from '../../../shared/tensor/index.js';
import { WebGpuError } from '../errors.js';
import { BufferPool } from './buffer-pool.js';
import { type AdapterDescription, requestGpuDevice } from './device.js';
import { errorForFailure } from './failures.js';
import { binaryLaunch, unaryLaunch } from './kernels/elementwise.js';
import type { KernelLaunch } from './kernels/launch.js';
import { concatPartLaunch, permuteLaunch, sliceLaunch } from './kernels/layout.js';
import { type MatmulConfig, configsWithin, defaultConfig, matmulLaunchFor, needsRowMajor } from './matmul-configs.js';
import { crossEntropyLaunch, reduceLaunch, softmaxLaunch } from './kernels/reduce.js';
import { PipelineCache } from './pipelines.js';
import { type BatchFailure, CommandRecorder } from './recorder.js';
import { probeSubgroupLayout } from './subgroup-probe.js';

/**
 * The matmul kernels: register-tiled (large tiles, for GPUs), the older 64x64 workgroup-tiled
 * one, and direct register-blocked for CPU-emulated adapters. Each comes in one or more
 * configurations (`matmul-configs.ts`).
 */
export type MatmulKernel = 'register' | 'tiled' | 'direct';

/** Options of `createWebGpuBackend`. */
export interface WebGpuBackendOptions {
  /**
   * Which matmul kernel; `auto` takes `direct` on a CPU-emulated adapter (SwiftShader), the
   * largest register tile allowed elsewhere. `tuneMatmul` then picks the fastest configuration.
   * @default 'auto'
   */
  readonly matmulKernel?: MatmulKernel | 'auto';
  /**
   * A matmul configuration by name (`register-128x128-8x8-k8`: see `MATMUL_CONFIGS`), in place
   * of `matmulKernel`; one this adapter does not allow is an error.
   * @example { matmulConfig: 'register-64x64-4x4-k16' }
   */
  readonly matmulConfig?: string;
  /**
   * Let the direct matmul share loads through subgroups, where the device has 4-wide subgroups
   * laid out as the kernel needs (checked at start-up).
   * @default true
   */
  readonly useSubgroups?: boolean;
  /**
   * Dispatches recorded into one command buffer before it is submitted without waiting for a read.
   * @default 32
   */
  readonly maxQueuedDispatches?: number;
  /**
   * Idle buffer memory kept for reuse; beyond it, released buffers are destroyed.
   * @default 268435456 (256 MiB)
   */
  readonly maxPooledBytes?: number;
}

/** Counters for tests and the lab page. */
export interface WebGpuStats {
  readonly pipelines: number;
  readonly buffersCreated: number;
  readonly buffersReused: number;
  readonly submits: number;
  readonly liveStorages: number;
  readonly pooledBytes: number;
}

/** The WebGPU compute backend, with what tests and benchmarks need beyond `ComputeBackend`. */
export interface WebGpuBackend extends ComputeBackend {
  readonly name: 'webgpu';
  readonly adapter: AdapterDescription;
  /** The kernel of the current matmul configuration. */
  readonly matmulKernel: MatmulKernel;
  /** The matmul kernel is `direct` and shares loads through subgroups (see `useSubgroups`). */
  readonly subgroupMatmul: boolean;
  /** The name of the matmul configuration in use. */
  readonly matmulConfig: string;
  /** The configurations this device allows, by name (see `configsWithin`). */
  readonly matmulConfigs: readonly string[];
  /** Runs later products with this configuration. @throws {RangeError} for one the device does not allow */
  useMatmulConfig(name: string): void;
  /** Resolves when the device is lost, however that happens. */
  readonly lost: Promise<DeviceLostError>;
  stats(): WebGpuStats;
  /** Submits recorded work now and resolves when the GPU has finished everything submitted. */
  finish(): Promise<void>;
  /** Destroys the device as a driver reset would, so tests can see the loss handled. */
  forceDeviceLoss(): void;
}

interface GpuStorage {
  readonly buffer: GPUBuffer;
  /** Elements (f32) in use; the buffer may be larger. */
  readonly size: number;
}

const MAX_POOLED_BYTES = 256 * 1024 * 1024;
/** How long a failed readback waits for `device.lost` before calling the failure something else. */
const LOSS_GRACE_MS = 1000;

/**
 * A WebGPU backend on a new device of its own. Ops record dispatches (pipelines cached per
 * kernel variant, buffers pooled by size bucket, shapes in uniform buffers) into one command
 * encoder that is submitted on a read or every `maxQueuedDispatches`. Device loss and GPU
 * out-of-memory become `DeviceLostError` / `OutOfMemoryError`; either leaves this backend
 * unusable (results after an out-of-memory cannot be trusted), and a new one can be created.
 * @example
 * const core = new TensorCore(await createWebGpuBackend());
 * const y = core.relu(core.matmul(x, w));
 * console.log(await y.data());
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const { device, adapter } = await requestGpuDevice();
  const subgroups = (options.useSubgroups ?? true) && adapter.subgroupSize === 4 && (await probeSubgroupLayout(device));
  const allowed = configsWithin(device.limits, subgroups);
  const backend = new WebGpuComputeBackend(device, adapter, options, allowed);
  if (options.matmulConfig !== undefined) backend.useMatmulConfig(options.matmulConfig);
  return backend;
}

/** The configuration a `matmulKernel` option names. */
function configForKernel(kernel: MatmulKernel | 'auto', allowed: readonly MatmulConfig[], cpuEmulated: boolean): MatmulConfig {
  if (kernel === 'auto') return defaultConfig(allowed, cpuEmulated);
  const kinds = kernel === 'direct' ? ['subgroup', 'direct'] : [kernel];
  const config = kinds.map((kind) => allowed.find((candidate) => candidate.kernel === kind)).find((found) => found !== undefined);
  if (config === undefined) throw new RangeError(`webgpu: no ${kernel} matmul configuration fits this adapter`);
  return config;
}

class WebGpuComputeBackend implements WebGpuBackend {
  readonly name = 'webgpu';
  readonly adapter: AdapterDescription;
  readonly maxElements: number;
  readonly #allowed: readonly MatmulConfig[];
  #matmul: MatmulConfig;
  readonly lost: Promise<DeviceLostError>;
  readonly #device: GPUDevice;
  readonly #maxBufferBytes: number;
  readonly #storagePool: BufferPool;
  readonly #uniformPool: BufferPool;
  readonly #stagingPool: BufferPool;
  readonly #pipelines: PipelineCache;
  readonly #recorder: CommandRecorder;
  readonly #storages = new Map<StorageId, GpuStorage>();
  #nextId = 1;
  /** Set once the device is lost or a batch failed; every later call throws it. */
  #failure: Error | undefined;

  constructor(device: GPUDevice, adapter: AdapterDescription, options: WebGpuBackendOptions, allowed: readonly MatmulConfig[]) {
    this.#device = device;
    this.adapter = adapter;
    this.#allowed = allowed;
    this.#matmul = configForKernel(options.matmulKernel ?? 'auto', allowed, adapter.cpuEmulated);
    this.#maxBufferBytes = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / 16) * 16;
    this.maxElements = this.#maxBufferBytes / 4;
    const pooled = options.maxPooledBytes ?? MAX_POOLED_BYTES;
    // GPUBufferUsage is read here, not at module load, so importing this file outside a browser is harmless.
    this.#storagePool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, pooled);
    this.#uniformPool = new BufferPool(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 1024 * 1024);
    this.#stagingPool = new BufferPool(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, pooled);
    this.#pipelines = new PipelineCache(device);
    this.#recorder = new CommandRecorder(device, options.maxQueuedDispatches ?? 32, () => {
      this.#storagePool.afterSubmit();
      this.#uniformPool.afterSubmit();
      this.#stagingPool.afterSubmit();
    });
    // Error scopes catch what each batch does; anything escaping them is a bug worth stopping for.
    device.addEventListener('uncapturederror', (event) => {
      this.#failure ??= new WebGpuError(`webgpu: uncaught GPU error: ${event.error.message}`, { cause: event.error });
    });
    this.lost = device.lost.then((info) => {
      // The loss is what callers can act on (make a new backend), so it replaces an earlier failure.
      const lost =
        this.#failure instanceof DeviceLostError ? this.#failure : new DeviceLostError(`webgpu: device lost (${info.reason}): ${info.message}`, { cause: info });
      this.#failure = lost;
      return lost;
    });
  }

  upload(values: Float32Array): StorageId {
    this.#assertUsable();
    this.#recorder.begin();
    const id = this.#allocate(values.length);
    if (values.length > 0) this.#device.queue.writeBuffer(this.#storage(id).buffer, 0, ownBuffer(values));
    return id;
  }

  async download(id: StorageId): Promise<Float32Array> {
    this.#assertUsable();
    const { buffer, size } = this.#storage(id);
    if (size === 0) return new Float32Array(0);
    const bytes = size * 4;
    this.#recorder.begin();
    const staging = this.#stagingPool.acquire(bytes);
    this.#recorder.copy(buffer, staging, bytes);
    this.#recorder.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (error) {
      throw await this.#explainFailure(error);
    }
    const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    this.#stagingPool.release(staging);
    this.#raise(await this.#recorder.checkErrors());
    return values;
  }

  dispose(id: StorageId): void {
    const storage = this.#storages.get(id);
    if (storage === undefined) return;
    this.#storages.delete(id);
    if (this.#failure === undefined) this.#storagePool.release(storage.buffer);
  }

  get matmulKernel(): MatmulKernel {
    return this.#matmul.kernel === 'subgroup' ? 'direct' : this.#matmul.kernel;
  }

  get subgroupMatmul(): boolean {
    return this.#matmul.kernel === 'subgroup';
  }

  get matmulConfig(): string {
    return this.#matmul.name;
  }

  get matmulConfigs(): readonly string[] {
    return this.#allowed.map(({ name }) => name);
  }

  useMatmulConfig(name: string): void {
    const config = this.#allowed.find((candidate) => candidate.name === name);
    if (config === undefined) throw new RangeError(`webgpu: matmul configuration '${name}' is not one this device allows (${this.matmulConfigs.join(', ')})`);
    this.#matmul = config;
  }

  matmul(a: StorageId, b: StorageId, params: MatmulParams): StorageId {
    const size = params.batch * params.m * params.n;
    const config = this.#matmul;
    if (!needsRowMajor(config, params)) return this.#run(matmulLaunchFor(config, params), [a, b], size);
    // The vec4 kernels read row-major operands: copying a transposed one costs O(k·n), the product O(m·k·n).
    const rowMajorA = params.transposeA ? this.permute(a, { shape: [params.aBatchStride === 0 ? 1 : params.batch, params.k, params.m], perm: [0, 2, 1] }) : a;
    const rowMajorB = params.transposeB ? this.permute(b, { shape: [params.bBatchStride === 0 ? 1 : params.batch, params.n, params.k], perm: [0, 2, 1] }) : b;
    const out = this.#run(matmulLaunchFor(config, { ...params, transposeA: false, transposeB: false }), [rowMajorA, rowMajorB], size);
    if (rowMajorA !== a) this.dispose(rowMajorA);
    if (rowMajorB !== b) this.dispose(rowMajorB);
    return out;
  }

  binary(op: BinaryOp, a: StorageId, b: StorageId, params: BinaryParams): StorageId {
    return this.#run(binaryLaunch(op, params), [a, b], params.outShape.reduce((total, dim) => total * dim, 1));
  }

  unary(op: UnaryOp, x: StorageId, size: number): StorageId {
    return this.#run(unaryLaunch(op, size), [x], size);
  }

  reduce(op: ReduceOp, x: StorageId, params: AxisPlan): StorageId {
    return this.#run(reduceLaunch(op, params), [x], params.outer * params.inner);
  }

  softmax(x: StorageId, params: AxisPlan): StorageId {
    return this.#run(softmaxLaunch(params), [x], params.outer * params.size * params.inner);
  }

  permute(x: StorageId, params: PermuteParams): StorageId {
    return this.#run(permuteLaunch(params), [x], params.shape.reduce((total, dim) => total * dim, 1));
  }

  slice(x: StorageId, params: SliceParams): StorageId {
    return this.#run(sliceLaunch(params), [x], params.outShape.reduce((total, dim) => total * dim, 1));
  }

  concat(inputs: readonly StorageId[], params: Omit<ConcatPlan, 'outShape'>): StorageId {
    this.#assertUsable();
    this.#recorder.begin();
    const rowLength = params.sizes.reduce((total, size) => total + size, 0) * params.inner;
    const out = this.#allocate(params.outer * rowLength);
    let column = 0;
    inputs.forEach((input, i) => {
      const width = (params.sizes[i] ?? 0) * params.inner;
      if (width > 0 && params.outer > 0) {
        this.#dispatch(concatPartLaunch(params.outer, width, rowLength, column), [this.#storage(input).buffer, this.#storage(out).buffer]);
      }
      column += width;
    });
    return out;
  }

  softmaxCrossEntropy(logits: StorageId, labels: StorageId, params: CrossEntropyPlan): CrossEntropyResult {
    this.#assertUsable();
    this.#recorder.begin();
    const rowLoss = this.#allocate(params.rows);
    const dLogits = this.#allocate(params.rows * params.cols);
    const buffers = [logits, labels, rowLoss, dLogits].map((id) => this.#storage(id).buffer);
    this.#dispatch(crossEntropyLaunch(params), buffers);
    return { rowLoss, dLogits };
  }

  stats(): WebGpuStats {
    return {
      pipelines: this.#pipelines.size,
      buffersCreated: this.#storagePool.stats.created,
      buffersReused: this.#storagePool.stats.reused,
      submits: this.#recorder.submits,
      liveStorages: this.#storages.size,
      pooledBytes: this.#storagePool.stats.idleBytes,
    };
  }

  async finish(): Promise<void> {
    this.#assertUsable();
    this.#recorder.flush();
    await this.#device.queue.onSubmittedWorkDone();
    this.#raise(await this.#recorder.checkErrors());
  }

  forceDeviceLoss(): void {
    this.#device.destroy();
  }

  destroy(): void {
    this.#failure ??= new DeviceLostError('webgpu: this backend was destroyed');
    this.#storages.clear();
    for (const pool of [this.#storagePool, this.#uniformPool, this.#stagingPool]) pool.destroy();
    this.#device.destroy();
  }

  /** Allocates the output, dispatches the kernel over the inputs, returns the output's id. */
  #run(launch: KernelLaunch, inputs: readonly StorageId[], outputSize: number): StorageId {
    this.#assertUsable();
    this.#recorder.begin();
    const out = this.#allocate(outputSize);
    if (outputSize > 0) this.#dispatch(launch, [...inputs.map((id) => this.#storage(id).buffer), this.#storage(out).buffer]);
    return out;
  }

  #dispatch(launch: KernelLaunch, buffers: readonly GPUBuffer[]): void {
    // A dispatch may have just submitted the batch (every `maxQueuedDispatches`): open the next one.
    this.#recorder.begin();
    const { pipeline, layout } = this.#pipelines.get(launch.key, launch.source);
    const uniforms = this.#uniformPool.acquire(launch.uniforms.byteLength);
    this.#device.queue.writeBuffer(uniforms, 0, launch.uniforms);
    const entries = [...buffers, uniforms].map((buffer, binding) => ({ binding, resource: { buffer } }));
    this.#recorder.dispatch(pipeline, this.#device.createBindGroup({ layout, entries }), launch.workgroups);
    this.#uniformPool.release(uniforms);
  }

  #allocate(size: number): StorageId {
    const bytes = Math.max(16, Math.ceil(size / 4) * 16);
    const buffer = this.#storagePool.acquire(Math.min(bytes, this.#maxBufferBytes));
    const id = this.#nextId++;
    this.#storages.set(id, { buffer, size });
    return id;
  }

  #storage(id: StorageId): GpuStorage {
    const storage = this.#storages.get(id);
    if (storage === undefined) throw new RangeError(`webgpu backend: no storage ${id} (disposed, or from another backend)`);
    return storage;
  }

  #assertUsable(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #raise(failure: BatchFailure | undefined): void {
    if (failure === undefined) return;
    this.#failure ??= errorForFailure(failure);
    throw this.#failure;
  }

  /** A readback failed: a lost device says so within a moment; anything else is a GPU error. */
  async #explainFailure(error: unknown): Promise<Error> {
    const lost = await Promise.race([this.lost, new Promise<undefined>((resolve) => setTimeout(resolve, LOSS_GRACE_MS))]);
    if (lost !== undefined) return lost;
    this.#failure ??= new WebGpuError('webgpu: reading a tensor back failed', { cause: error });
    return this.#failure;
  }
}

/** `values` itself when it views a plain ArrayBuffer (what `writeBuffer` takes), else a copy. */
function ownBuffer(values: Float32Array): Float32Array<ArrayBuffer> {
  return values.buffer instanceof ArrayBuffer ? new Float32Array(values.buffer, values.byteOffset, values.length) : Float32Array.from(values);
}
