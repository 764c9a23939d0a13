// The contenders of the tensor benchmark page, each able to set up a workload on resident
// inputs and run it once, result read back: our TensorCore (on a backend, or on the one the
// join-time selection chose for the workload's size), TensorFlow.js on a backend, plain JS.
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorCore } from '../shared/tensor/index.js';
import type { ContenderName } from './tensor-report.js';

/** What is timed. */
export type Workload =
  | { readonly kind: 'matmul'; readonly n: number }
  | { readonly kind: 'softmax'; readonly rows: number; readonly cols: number }
  | { readonly kind: 'sum'; readonly shape: readonly number[]; readonly axis?: number };

/** The workload's input shapes. */
export function inputShapes(workload: Workload): number[][] {
  if (workload.kind === 'matmul') return [[workload.n, workload.n], [workload.n, workload.n]];
  if (workload.kind === 'softmax') return [[workload.rows, workload.cols]];
  return [[...workload.shape]];
}

/** One workload set up on one contender: `run` computes it and resolves with the values read back. */
export interface PreparedRun {
  run(): Promise<Float32Array>;
  release(): void;
  /** Where it runs (the chosen contender's backend). */
  readonly backend: string;
}

export interface Contender {
  readonly name: ContenderName;
  /** Made ready to run (TF.js: its backend made the active one); untimed. */
  activate(): Promise<void>;
  prepare(workload: Workload, inputs: readonly Float32Array[]): PreparedRun;
}

function runOnCore(core: TensorCore, workload: Workload, [a, b]: Tensor[]): Tensor {
  if (workload.kind === 'matmul') return core.matmul(a!, b!);
  if (workload.kind === 'softmax') return core.softmax(a!);
  return core.sum(a!, workload.axis);
}

/** Our TensorCore, on the core `coreFor` gives for the workload. */
export function coreContender(name: ContenderName, coreFor: (workload: Workload) => TensorCore): Contender {
  return {
    name,
    activate: () => Promise.resolve(),
    prepare(workload, inputs) {
      const core = coreFor(workload);
      const shapes = inputShapes(workload);
      const tensors = inputs.map((values, i) => core.tensor(values, shapes[i]));
      return {
        backend: core.backendName,
        async run() {
          const out = runOnCore(core, workload, tensors);
          const values = await out.data();
          out.dispose();
          return values;
        },
        release: () => tensors.forEach((tensor) => tensor.dispose()),
      };
    },
  };
}

function runOnTfjs(workload: Workload, [a, b]: tf.Tensor[]): tf.Tensor {
  if (workload.kind === 'matmul') return tf.matMul(a!, b!);
  if (workload.kind === 'softmax') return tf.softmax(a!);
  return tf.sum(a!, workload.axis);
}

/** TensorFlow.js on one of its backends; its tensors are made while that backend is active. */
export function tfjsContender(name: ContenderName, backend: 'webgpu' | 'wasm'): Contender {
  return {
    name,
    async activate() {
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
    },
    prepare(workload, inputs) {
      const shapes = inputShapes(workload);
      const tensors = inputs.map((values, i) => tf.tensor(values, shapes[i]));
      return {
        backend,
        async run() {
          const out = runOnTfjs(workload, tensors);
          const values = (await out.data()) as Float32Array;
          out.dispose();
          return values;
        },
        release: () => tf.dispose(tensors),
      };
    },
  };
}

/** Plain JS loops over Float32Arrays: i-k-j matmul, two-pass softmax, a running sum. */
export function jsLoopContender(): Contender {
  return {
    name: 'jsLoop',
    activate: () => Promise.resolve(),
    prepare(workload, [a, b]) {
      const run = (): Float32Array => {
        if (workload.kind === 'matmul') return jsMatmul(a!, b!, workload.n);
        if (workload.kind === 'softmax') return jsSoftmax(a!, workload.rows, workload.cols);
        return jsSum(a!, workload.shape, workload.axis);
      };
      return { backend: 'js', run: () => Promise.resolve(run()), release: () => undefined };
    },
  };
}

function jsMatmul(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const av = a[i * n + p]!;
      const bRow = p * n;
      const cRow = i * n;
      for (let j = 0; j < n; j++) c[cRow + j] = c[cRow + j]! + av * b[bRow + j]!;
    }
  }
  return c;
}

function jsSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, x[base + c]!);
    let total = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(x[base + c]! - max);
      out[base + c] = e;
      total += e;
    }
    for (let c = 0; c < cols; c++) out[base + c] = out[base + c]! / total;
  }
  return out;
}

function jsSum(x: Float32Array, shape: readonly number[], axis: number | undefined): Float32Array {
  if (axis === undefined) {
    let total = 0;
    for (let i = 0; i < x.length; i++) total += x[i]!;
    return Float32Array.of(total);
  }
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const size = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const out = new Float32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < size; s++) {
      const row = (o * size + s) * inner;
      for (let i = 0; i < inner; i++) out[o * inner + i] = out[o * inner + i]! + x[row + i]!;
    }
  }
  return out;
}
