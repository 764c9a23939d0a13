import type { BinaryOp, ComputeBackend, ReduceOp, StorageId, UnaryOp } from './backend.js';
import { BackendMismatchError, DTypeError, ShapeError, TensorTooLargeError } from './errors.js';
import { Scopes } from './scopes.js';
import {
  type MatmulOptions,
  type Shape,
  broadcastShapes,
  broadcastStrides,
  checkSameShape,
  checkShape,
  formatShape,
  planAxis,
  planConcat,
  planCrossEntropy,
  planMatmul,
  planPermute,
  planReduce,
  planReshape,
  planSlice,
  sizeOf,
  stridesOf,
} from './shapes.js';
import { type DType, Tensor, TensorStorage } from './tensor.js';

/** Values a tensor is made from: a `Float32Array`, plain numbers, or one number for a scalar. */
export type TensorValues = Float32Array | readonly number[] | number;

/** Options of the reductions. */
export interface ReduceOptions {
  /** Keep the reduced axis as a dimension of 1 (handy for broadcasting back). @default false */
  readonly keepDims?: boolean;
}

/** Result of `matmulBackward`. */
export interface MatmulGradients {
  readonly dA: Tensor;
  readonly dB: Tensor;
}

/** Result of `softmaxCrossEntropy`. */
export interface CrossEntropyLoss {
  /** Scalar (shape `[]`): the mean loss over rows. */
  readonly loss: Tensor;
  /** `[rows, classes]`: the gradient of `loss` with respect to the logits. */
  readonly dLogits: Tensor;
}

/**
 * The tensor core task code reaches as `ctx.tensor`: makes tensors and runs ops on one
 * `ComputeBackend` (WebGPU in a volunteer's tab, the CPU reference under Node). Ops only queue
 * work; nothing is read back until `await tensor.data()`. Shapes are checked here, before any
 * work is queued, and mismatches throw `ShapeError`.
 * @example
 * const t = ctx.tensor;
 * const x = t.tensor(inputs, [batch, 784]);
 * const hidden = t.relu(t.add(t.matmul(x, w1), b1));
 * const { loss, dLogits } = t.softmaxCrossEntropy(t.matmul(hidden, w2), labels);
 * console.log(await loss.data());
 */
export class TensorCore {
  readonly #backend: ComputeBackend;
  readonly #scopes = new Scopes();

  constructor(backend: ComputeBackend) {
    this.#backend = backend;
  }

  /** `'cpu'`, `'webgpu'` or `'wasm'`. */
  get backendName(): string {
    return this.#backend.name;
  }

  /**
   * A tensor from values; the shape defaults to `[values.length]` (`[]` for one number).
   * @example t.tensor([1, 2, 3, 4, 5, 6], [2, 3])
   */
  tensor(values: TensorValues, shape?: Shape, dtype: DType = 'f32'): Tensor {
    if (dtype !== 'f32') throw new DTypeError(`tensor: dtype ${String(dtype)} is not supported; tensors are f32`);
    const floats = toFloat32(values);
    const fullShape = shape ?? (typeof values === 'number' ? [] : [floats.length]);
    checkShape('tensor', fullShape);
    if (sizeOf(fullShape) !== floats.length) {
      throw new ShapeError(`tensor: ${floats.length} values do not fill shape ${formatShape(fullShape)}`);
    }
    this.#checkSize('tensor', fullShape);
    return this.#wrap(fullShape, this.#backend.upload(floats));
  }

  /** @example t.zeros([128, 10]) */
  zeros(shape: Shape): Tensor {
    return this.fill(shape, 0);
  }

  /** @example t.fill([4], 0.5) */
  fill(shape: Shape, value: number): Tensor {
    checkShape('fill', shape);
    this.#checkSize('fill', shape);
    return this.#wrap(shape, this.#backend.upload(new Float32Array(sizeOf(shape)).fill(value)));
  }

  /**
   * Matrix product, 2-D or batched (`[b,m,k] x [b,k,n]`, or a 2-D operand shared across the batch).
   * @example t.matmul(x, w) // [32, 784] x [784, 128] -> [32, 128]
   */
  matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
    this.#use('matmul', a, b);
    const { outShape, ...params } = planMatmul(a.shape, b.shape, options);
    this.#checkSize('matmul', outShape);
    return this.#wrap(outShape, this.#backend.matmul(a.storage.id, b.storage.id, params));
  }

  /** Elementwise `a + b` with NumPy broadcasting. @example t.add(t.matmul(x, w), bias) */
  add(a: Tensor, b: Tensor | number): Tensor {
    return this.#binary('add', a, b);
  }

  /** Elementwise `a - b` with NumPy broadcasting. @example t.sub(w, t.mul(dW, 0.01)) */
  sub(a: Tensor, b: Tensor | number): Tensor {
    return this.#binary('sub', a, b);
  }

  /** Elementwise `a * b` with NumPy broadcasting. @example t.mul(dW, learningRate) */
  mul(a: Tensor, b: Tensor | number): Tensor {
    return this.#binary('mul', a, b);
  }

  /** Elementwise `a / b` with NumPy broadcasting. @example t.div(x, t.sum(x, -1, { keepDims: true })) */
  div(a: Tensor, b: Tensor | number): Tensor {
    return this.#binary('div', a, b);
  }

  /** `max(x, 0)`. @example t.relu(h) */
  relu(x: Tensor): Tensor {
    return this.#unary('relu', x);
  }

  /** GELU, tanh approximation: `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`. @example t.gelu(h) */
  gelu(x: Tensor): Tensor {
    return this.#unary('gelu', x);
  }

  /** @example t.exp(x) */
  exp(x: Tensor): Tensor {
    return this.#unary('exp', x);
  }

  /** Natural log (NaN below 0, -Infinity at 0). @example t.log(p) */
  log(x: Tensor): Tensor {
    return this.#unary('log', x);
  }

  /** @example t.tanh(x) */
  tanh(x: Tensor): Tensor {
    return this.#unary('tanh', x);
  }

  /** `1 / (1 + e^-x)`. @example t.sigmoid(x) */
  sigmoid(x: Tensor): Tensor {
    return this.#unary('sigmoid', x);
  }

  /** `-x`. @example t.neg(x) */
  neg(x: Tensor): Tensor {
    return this.#unary('neg', x);
  }

  /** Sum along `axis` (all axes when omitted). @example t.sum(x, 0) // column sums */
  sum(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
    return this.#reduce('sum', x, axis, options);
  }

  /** Mean along `axis` (all axes when omitted). @example t.mean(x, -1, { keepDims: true }) */
  mean(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
    return this.#reduce('mean', x, axis, options);
  }

  /** Maximum along `axis` (all axes when omitted). @example t.max(logits, 1) */
  max(x: Tensor, axis?: number, options: ReduceOptions = {}): Tensor {
    return this.#reduce('max', x, axis, options);
  }

  /** Softmax along `axis`, the last by default. @example t.softmax(logits) */
  softmax(x: Tensor, axis = -1): Tensor {
    this.#use('softmax', x);
    const { outer, size, inner } = planAxis('softmax', x.shape, axis);
    return this.#wrap(x.shape, this.#backend.softmax(x.storage.id, { outer, size, inner }));
  }

  /**
   * Permutes axes; without `perm` reverses them (the 2-D transpose).
   * @example t.transpose(w) // [784, 128] -> [128, 784]
   * @example t.transpose(x, [0, 2, 1]) // [b, m, n] -> [b, n, m]
   */
  transpose(x: Tensor, perm?: Shape): Tensor {
    this.#use('transpose', x);
    const plan = planPermute(x.shape, perm);
    return this.#wrap(plan.outShape, this.#backend.permute(x.storage.id, { shape: x.shape, perm: plan.perm }));
  }

  /**
   * The same values in a new shape (one dimension may be -1); shares the storage, copies nothing.
   * @example t.reshape(images, [-1, 784])
   */
  reshape(x: Tensor, shape: Shape): Tensor {
    this.#use('reshape', x);
    const outShape = planReshape(x.shape, shape);
    return this.#track(new Tensor(outShape, x.storage.retain()));
  }

  /**
   * The box starting at `begin` of `size` (-1: to the end of that axis).
   * @example t.slice(x, [0, 10], [-1, 5]) // columns 10..14
   */
  slice(x: Tensor, begin: Shape, size: Shape): Tensor {
    this.#use('slice', x);
    const plan = planSlice(x.shape, begin, size);
    return this.#wrap(plan.outShape, this.#backend.slice(x.storage.id, { shape: x.shape, ...plan }));
  }

  /** Joins tensors along `axis`. @example t.concat([a, b], 1) // [2,3] and [2,5] -> [2,8] */
  concat(tensors: readonly Tensor[], axis = 0): Tensor {
    this.#use('concat', ...tensors);
    const { outShape, ...params } = planConcat(tensors.map((x) => x.shape), axis);
    this.#checkSize('concat', outShape);
    return this.#wrap(outShape, this.#backend.concat(tensors.map((x) => x.storage.id), params));
  }

  /**
   * Gradients of `C = matmul(a, b)` given `dC`: `dA = dC·Bᵀ`, `dB = Aᵀ·dC`, summed over the batch
   * for an operand that was shared across it.
   * @example const { dA: dX, dB: dW } = t.matmulBackward(x, w, dOut);
   */
  matmulBackward(a: Tensor, b: Tensor, dC: Tensor): MatmulGradients {
    this.#use('matmulBackward', a, b, dC);
    const plan = planMatmul(a.shape, b.shape);
    checkSameShape('matmulBackward', dC.shape, plan.outShape);
    const { m, k, n, batch } = plan;
    const dB = a.rank > 2 && b.rank === 2
      ? this.#flatMatmul(a, [batch * m, k], dC, [batch * m, n], { transposeA: true })
      : this.matmul(a, dC, { transposeA: true });
    if (a.rank === 2 && b.rank > 2) {
      const perBatch = this.matmul(dC, b, { transposeB: true });
      const dA = this.#sumBatch(perBatch, [batch, m, k], a.shape);
      return { dA, dB };
    }
    return { dA: this.matmul(dC, b, { transposeB: true }), dB };
  }

  /** Gradient of `relu(x)`: `dY` where `x > 0`, else 0. @example const dH = t.reluBackward(h, dHidden); */
  reluBackward(x: Tensor, dY: Tensor): Tensor {
    this.#use('reluBackward', x, dY);
    checkSameShape('reluBackward', x.shape, dY.shape);
    const strides = stridesOf(x.shape);
    const params = { outShape: x.shape, aStrides: strides, bStrides: strides };
    return this.#wrap(x.shape, this.#backend.binary('reluGrad', x.storage.id, dY.storage.id, params));
  }

  /**
   * Mean softmax cross-entropy of `logits` `[rows, classes]` against one-hot labels `[rows, classes]`
   * or class indices (`[rows]` tensor or array; indices in a tensor are not range-checked), with
   * its gradient.
   * @example const { loss, dLogits } = t.softmaxCrossEntropy(logits, [3, 0, 9]);
   */
  softmaxCrossEntropy(logits: Tensor, labels: Tensor | readonly number[]): CrossEntropyLoss {
    this.#use('softmaxCrossEntropy', logits);
    const labelTensor = labels instanceof Tensor ? labels : this.#classIndices(logits.shape, labels);
    try {
      this.#use('softmaxCrossEntropy', labelTensor);
      const plan = planCrossEntropy(logits.shape, labelTensor.shape);
      const result = this.#backend.softmaxCrossEntropy(logits.storage.id, labelTensor.storage.id, plan);
      const rowLoss = this.#wrap([plan.rows], result.rowLoss);
      const dLogits = this.#wrap(logits.shape, result.dLogits);
      const loss = this.mean(rowLoss);
      rowLoss.dispose();
      return { loss, dLogits };
    } finally {
      if (labelTensor !== labels) labelTensor.dispose();
    }
  }

  /**
   * Runs `fn` and then disposes every tensor made inside it except those it returns (a tensor,
   * or an array or object of them). `fn` must be synchronous — ops are, only `data()` awaits.
   * @example
   * const w2 = t.scope(() => t.sub(w, t.mul(t.matmulBackward(x, w, dY).dB, 0.1)));
   */
  scope<T>(fn: () => T): T {
    return this.#scopes.run(fn);
  }

  /** Releases the backend (for WebGPU, its device); tensors made here become unusable. */
  destroy(): void {
    this.#backend.destroy();
  }

  #binary(op: BinaryOp, a: Tensor, b: Tensor | number): Tensor {
    const right = typeof b === 'number' ? this.tensor(b) : b;
    try {
      this.#use(op, a, right);
      const outShape = broadcastShapes(op, a.shape, right.shape);
      this.#checkSize(op, outShape);
      const params = { outShape, aStrides: broadcastStrides(a.shape, outShape), bStrides: broadcastStrides(right.shape, outShape) };
      return this.#wrap(outShape, this.#backend.binary(op, a.storage.id, right.storage.id, params));
    } finally {
      if (right !== b) right.dispose();
    }
  }

  #unary(op: UnaryOp, x: Tensor): Tensor {
    this.#use(op, x);
    return this.#wrap(x.shape, this.#backend.unary(op, x.storage.id, x.size));
  }

  #reduce(op: ReduceOp, x: Tensor, axis: number | undefined, options: ReduceOptions): Tensor {
    this.#use(op, x);
    const { outShape, ...params } = planReduce(op, x.shape, axis, options.keepDims ?? false);
    return this.#wrap(outShape, this.#backend.reduce(op, x.storage.id, params));
  }

  #flatMatmul(a: Tensor, aShape: Shape, b: Tensor, bShape: Shape, options: MatmulOptions): Tensor {
    const flatA = this.reshape(a, aShape);
    const flatB = this.reshape(b, bShape);
    try {
      return this.matmul(flatA, flatB, options);
    } finally {
      flatA.dispose();
      flatB.dispose();
    }
  }

  #sumBatch(x: Tensor, batched: Shape, outShape: Shape): Tensor {
    const flat = this.reshape(x, batched);
    const summed = this.sum(flat, 0);
    flat.dispose();
    x.dispose();
    const result = this.reshape(summed, outShape);
    summed.dispose();
    return result;
  }

  #classIndices(logitsShape: Shape, labels: readonly number[]): Tensor {
    const classes = logitsShape[logitsShape.length - 1] ?? 0;
    const bad = labels.findIndex((label) => !Number.isInteger(label) || label < 0 || label >= classes);
    if (bad >= 0) {
      throw new ShapeError(`softmaxCrossEntropy: label ${String(labels[bad])} at row ${bad} is not a class index below ${classes}`);
    }
    return this.tensor(labels, [labels.length]);
  }

  #use(op: string, ...tensors: Tensor[]): void {
    for (const tensor of tensors) {
      tensor.assertLive(op);
      if (tensor.storage.backend !== this.#backend) {
        throw new BackendMismatchError(`${op}: a tensor ${formatShape(tensor.shape)} belongs to another tensor core (${tensor.storage.backend.name})`);
      }
    }
  }

  #checkSize(op: string, shape: Shape): void {
    const size = sizeOf(shape);
    if (size > this.#backend.maxElements) {
      throw new TensorTooLargeError(
        `${op}: ${formatShape(shape)} has ${size} elements, more than the ${this.#backend.maxElements} one ${this.#backend.name} buffer holds`,
      );
    }
  }

  #wrap(shape: Shape, id: StorageId): Tensor {
    return this.#track(new Tensor(shape, new TensorStorage(this.#backend, id)));
  }

  #track(tensor: Tensor): Tensor {
    this.#scopes.track(tensor);
    return tensor;
  }
}

function toFloat32(values: TensorValues): Float32Array {
  if (typeof values === 'number') return Float32Array.of(values);
  if (values instanceof Float32Array) return values;
  if (Array.isArray(values)) return Float32Array.from(values);
  const kind = (values as { constructor?: { name?: string } }).constructor?.name ?? typeof values;
  throw new DTypeError(`tensor: values are ${kind}; tensors are f32 — pass a Float32Array or an array of numbers`);
}
