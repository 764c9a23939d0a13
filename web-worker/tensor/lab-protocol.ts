/**
 * What the tensor lab page (`lab.html`) exposes as `window.tensorLab`, for browser tests and
 * benchmarks that drive it through `page.evaluate`. Everything crosses as plain JSON.
 */
import type { GradientErrors } from '../../shared/tensor/index.js';
import type { BackendPolicy, MeasureOptions, TensorChoice, TimeLimits } from './select/index.js';
import type { MatmulTune } from './webgpu/autotune.js';
import type { WasmBackendStats } from './wasm-backend/index.js';
import type { MatmulKernel, WebGpuStats } from './webgpu/backend.js';
import type { AdapterDescription } from './webgpu/device.js';

/** Backends the lab can run an op on. */
export type LabBackend = 'cpu' | 'webgpu' | 'wasm';

/** A tensor as JSON. */
export interface LabTensor {
  readonly shape: number[];
  readonly values: number[];
}

/** Ops the lab runs, by `TensorCore` method name. */
export type LabOp =
  | 'matmul'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'relu'
  | 'gelu'
  | 'exp'
  | 'log'
  | 'tanh'
  | 'sigmoid'
  | 'neg'
  | 'sum'
  | 'mean'
  | 'max'
  | 'softmax'
  | 'transpose'
  | 'reshape'
  | 'slice'
  | 'concat'
  | 'matmulBackward'
  | 'reluBackward'
  | 'softmaxCrossEntropy';

/** The op's arguments beyond its input tensors. */
export interface LabOpOptions {
  readonly axis?: number;
  readonly keepDims?: boolean;
  readonly perm?: number[];
  readonly shape?: number[];
  readonly begin?: number[];
  readonly size?: number[];
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
  /** For `softmaxCrossEntropy`: class indices as a plain array instead of a labels tensor. */
  readonly classIndices?: number[];
}

export interface LabOpRequest {
  readonly backend: LabBackend;
  readonly op: LabOp;
  readonly inputs: LabTensor[];
  readonly options?: LabOpOptions;
}

/** An op's outputs by name (`out`, or `dA`/`dB`, `loss`/`dLogits`), or the error it threw. */
export type LabOutcome =
  | { readonly ok: true; readonly outputs: Record<string, LabTensor> }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } };

/** One matmul benchmark: warm-up, then the median of `runs`. */
export interface MatmulTiming {
  readonly size: number;
  readonly backend: LabBackend;
  /** The WebGPU matmul configuration (`direct+subgroups`, `register-128x128-8x8-k8`, ...), `wasm` or `cpu`. */
  readonly kernel: string;
  readonly runsMs: number[];
  readonly medianMs: number;
  readonly gflops: number;
  /** Largest relative error of sampled entries against f64 dot products. */
  readonly maxRelativeError: number;
}

export interface MatmulTimingOptions {
  readonly backend?: LabBackend;
  /** @default 5 */
  readonly runs?: number;
  /** Time up to the values being read back (as TensorFlow.js benchmarks do), not just to the GPU finishing. @default false */
  readonly includeReadback?: boolean;
}

/** What `selectBackends` found, and whether the core it chose computes right. */
export interface LabSelection {
  readonly choice: TensorChoice;
  readonly policy: BackendPolicy;
  /** `core.backendName` of the selection. */
  readonly coreBackend: string;
  /** `toleranceRatio` of a [17,33] x [33,65] matmul on the chosen core against the CPU reference (≤ 1 holds). */
  readonly matmulError: number;
}

/** Options of `selectBackends`. */
export interface LabSelectOptions {
  readonly measure?: Omit<MeasureOptions, 'onFailure'>;
  readonly timeLimitsMs?: Partial<TimeLimits>;
  /** Skip the WebGPU matmul tune (keep the default configuration). @default false */
  readonly skipTune?: boolean;
}

/** The WebGPU matmul configurations: all there are, those this device allows, and the one in use. */
export interface LabMatmulConfigs {
  readonly all: string[];
  readonly allowed: string[];
  readonly current: string;
  readonly limits: Readonly<Record<string, number>>;
}

/** What `tuneMatmul` did on the lab's WebGPU backend. */
export interface LabTune {
  readonly config: string;
  readonly source: 'tuned' | 'cached' | 'default';
  readonly adapterKey: string;
  readonly tune?: MatmulTune;
  /** Tunes this page has run so far (a cached answer runs none). */
  readonly tunesRun: number;
}

/** What filling the WASM backend's memory did. */
export interface LabMemoryExhaustion {
  /** The error the op that could not get memory threw. */
  readonly name: string;
  readonly message: string;
  readonly causeName: string;
  /** 1 GiB tensors made before it. */
  readonly tensorsMade: number;
  /** After disposing them, a small matmul still gave the right answer. */
  readonly usableAfter: boolean;
}

/** `window.tensorLab`. */
export interface TensorLab {
  adapter(): Promise<AdapterDescription & { matmulKernel: MatmulKernel; subgroupMatmul: boolean; matmulConfig: string }>;
  runOp(request: LabOpRequest): Promise<LabOutcome>;
  timeMatmul(size: number, options?: MatmulTimingOptions): Promise<MatmulTiming>;
  /** Replaces the WebGPU backend by a new one, with this matmul kernel (and subgroups unless `useSubgroups` is false). */
  useWebGpu(kernel: MatmulKernel | 'auto', useSubgroups?: boolean): Promise<void>;
  /** The matmul configurations of the WebGPU backend. */
  matmulConfigs(): Promise<LabMatmulConfigs>;
  /** Runs later WebGPU products with this configuration (by name). */
  useMatmulConfig(name: string): Promise<void>;
  /** Settles the WebGPU matmul as a join does: the tune cached in this page's localStorage, else a tune (then cached). */
  tuneMatmul(options?: { readonly budgetMs?: number; readonly size?: number }): Promise<LabTune>;
  /** Forces a device loss, then returns what the next op and readback threw. */
  loseDevice(): Promise<{ readonly name: string; readonly message: string; readonly lostReported: boolean }>;
  checkMlpGradients(backend: LabBackend, seed: number): Promise<GradientErrors>;
  checkMatmulGradients(backend: LabBackend, aShape: number[], bShape: number[], seed: number): Promise<GradientErrors>;
  webGpuStats(): Promise<WebGpuStats>;
  wasmStats(): Promise<WasmBackendStats>;
  /** Runs `selectTensorBackends` (with these options), checks its core, and releases it. */
  selectBackends(options?: LabSelectOptions): Promise<LabSelection>;
  /** On a fresh WASM backend, makes 1 GiB tensors until memory runs out (WebAssembly's 4 GiB). Use a page of its own: the memory never shrinks. */
  exhaustWasmMemory(): Promise<LabMemoryExhaustion>;
  /** Trains the two-layer perceptron by SGD on a learnable toy problem; the loss after each step, and tensors left alive. */
  trainMlp(backend: LabBackend, steps: number): Promise<{ readonly losses: number[]; readonly liveTensorsAfter: number }>;
}
