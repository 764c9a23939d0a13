/**
 * The port every compute backend (CPU reference, WebGPU, WASM) implements. The neutral
 * `TensorCore` checks shapes and dtypes before it calls here, so a backend receives only valid,
 * flattened parameters and never re-checks them. Each kernel allocates its output and returns
 * its id; inputs are never modified. Work may be queued: only `download` waits for results.
 */
import type { AxisPlan, ConcatPlan, CrossEntropyPlan, MatmulPlan, Shape } from './shapes.js';

/** A backend's handle to one buffer of f32 values, meaningful only to the backend that made it. */
export type StorageId = number;

/** Elementwise ops on two broadcast operands. `reluGrad` is `a > 0 ? b : 0` (a: the relu input, b: dY). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'reluGrad';

/** Elementwise ops on one operand. `gelu` is the tanh approximation. */
export type UnaryOp = 'relu' | 'gelu' | 'exp' | 'log' | 'tanh' | 'sigmoid' | 'neg';

/** Reductions along one axis. */
export type ReduceOp = 'sum' | 'mean' | 'max';

/** The kernel's view of a matmul: sizes, batch strides, transposes (see `planMatmul`). */
export type MatmulParams = Omit<MatmulPlan, 'outShape'>;

/** Both operands read with broadcast strides (0 along broadcast axes) over `outShape`. */
export interface BinaryParams {
  readonly outShape: Shape;
  readonly aStrides: Shape;
  readonly bStrides: Shape;
}

/** `out[j0..] = x[j0..]` permuted: output axis `i` is input axis `perm[i]`. */
export interface PermuteParams {
  /** The input's shape. */
  readonly shape: Shape;
  readonly perm: Shape;
}

/** The box `[begin, begin + outShape)` of an input of `shape`. */
export interface SliceParams {
  readonly shape: Shape;
  readonly begin: Shape;
  readonly outShape: Shape;
}

/** The two results of the fused softmax + cross-entropy kernel. */
export interface CrossEntropyResult {
  /** `[rows]`: `-sum(labels * logSoftmax(logits))` per row. */
  readonly rowLoss: StorageId;
  /** `[rows, cols]`: `(softmax(logits) - labels) / rows`, the gradient of the mean loss. */
  readonly dLogits: StorageId;
}

/** A compute backend: storage plus kernels. */
export interface ComputeBackend {
  /** `'cpu'`, `'webgpu'`, `'wasm'`. */
  readonly name: string;
  /** The most elements one tensor may have here. */
  readonly maxElements: number;

  upload(values: Float32Array): StorageId;
  /** Resolves with a copy of the values once all work writing them is done. */
  download(id: StorageId): Promise<Float32Array>;
  dispose(id: StorageId): void;

  matmul(a: StorageId, b: StorageId, params: MatmulParams): StorageId;
  binary(op: BinaryOp, a: StorageId, b: StorageId, params: BinaryParams): StorageId;
  unary(op: UnaryOp, x: StorageId, size: number): StorageId;
  /** `[outer, size, inner]` to `[outer, inner]`. */
  reduce(op: ReduceOp, x: StorageId, params: AxisPlan): StorageId;
  /** Softmax along the middle of `[outer, size, inner]`. */
  softmax(x: StorageId, params: AxisPlan): StorageId;
  permute(x: StorageId, params: PermuteParams): StorageId;
  slice(x: StorageId, params: SliceParams): StorageId;
  concat(inputs: readonly StorageId[], params: Omit<ConcatPlan, 'outShape'>): StorageId;
  softmaxCrossEntropy(logits: StorageId, labels: StorageId, params: CrossEntropyPlan): CrossEntropyResult;

  /** Releases everything; the backend is unusable afterwards. */
  destroy(): void;
}
