import type { BinaryOp, BinaryParams, UnaryOp } from '../../../../shared/tensor/index.js';
import { LINEAR_WORKGROUP, LINEAR_WORKGROUP_WGSL, type KernelLaunch, dimAt, dimsField, dimsWords, gridFor, packUniforms } from './launch.js';

/** WGSL for each unary op on `x` (an f32 or a vec4<f32>, with `T` its type). tanh is clamped: some drivers overflow past ±10. */
const UNARY_WGSL: Readonly<Record<UnaryOp, string>> = {
  relu: 'max(x, T(0.0))',
  gelu: '0.5 * x * (T(1.0) + tanh(clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), T(-10.0), T(10.0))))',
  exp: 'exp(x)',
  log: 'log(x)',
  tanh: 'tanh(clamp(x, T(-10.0), T(10.0)))',
  sigmoid: 'T(1.0) / (T(1.0) + exp(-x))',
  neg: '-x',
};

/** WGSL for each binary op on `a`, `b` (f32 or vec4<f32>). */
const BINARY_WGSL: Readonly<Record<BinaryOp, string>> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  reluGrad: 'select(T(0.0), b, a > T(0.0))',
};

/**
 * A unary op over `size` elements, four per invocation: buffers are allocated in whole vec4s,
 * so the tail past `size` is scratch that nobody reads.
 */
export function unaryLaunch(op: UnaryOp, size: number): KernelLaunch {
  const vectors = Math.ceil(size / 4);
  return {
    key: `unary:${op}`,
    uniforms: packUniforms([vectors]),
    workgroups: gridFor(Math.ceil(vectors / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `
alias T = vec4<f32>;
struct Params { count: u32 }
@group(0) @binding(0) var<storage, read> input: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> output: array<vec4<f32>>;
@group(0) @binding(2) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (i >= params.count) { return; }
  let x = input[i];
  output[i] = ${UNARY_WGSL[op]};
}`,
  };
}

/**
 * A binary op. Operands that both cover the output without broadcasting go four at a time;
 * otherwise each invocation decomposes its output index and reads through broadcast strides.
 */
export function binaryLaunch(op: BinaryOp, params: BinaryParams): KernelLaunch {
  const size = params.outShape.reduce((total, dim) => total * dim, 1);
  if (isContiguous(params.aStrides, params.outShape) && isContiguous(params.bStrides, params.outShape)) {
    return sameShapeLaunch(op, size);
  }
  const rank = params.outShape.length;
  return {
    key: `binary:${op}:rank${rank}`,
    uniforms: packUniforms([size, 0, 0, 0, ...dimsWords(params.outShape), ...dimsWords(params.aStrides), ...dimsWords(params.bStrides)]),
    workgroups: gridFor(Math.ceil(size / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `
alias T = f32;
struct Params { count: u32, ${dimsField('shape')}, ${dimsField('aStrides')}, ${dimsField('bStrides')} }
@group(0) @binding(0) var<storage, read> inputA: array<f32>;
@group(0) @binding(1) var<storage, read> inputB: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (i >= params.count) { return; }
  var rest = i;
  var indexA = 0u;
  var indexB = 0u;
  ${Array.from({ length: rank }, (_, k) => rank - 1 - k)
    .map(
      (axis) => `{
    let dim = ${dimAt('shape', axis)};
    let coordinate = rest % dim;
    rest = rest / dim;
    indexA += coordinate * ${dimAt('aStrides', axis)};
    indexB += coordinate * ${dimAt('bStrides', axis)};
  }`,
    )
    .join('\n  ')}
  let a = inputA[indexA];
  let b = inputB[indexB];
  output[i] = ${BINARY_WGSL[op]};
}`,
  };
}

function sameShapeLaunch(op: BinaryOp, size: number): KernelLaunch {
  const vectors = Math.ceil(size / 4);
  return {
    key: `binary:${op}:same`,
    uniforms: packUniforms([vectors]),
    workgroups: gridFor(Math.ceil(vectors / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `
alias T = vec4<f32>;
struct Params { count: u32 }
@group(0) @binding(0) var<storage, read> inputA: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> inputB: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> output: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (i >= params.count) { return; }
  let a = inputA[i];
  let b = inputB[i];
  output[i] = ${BINARY_WGSL[op]};
}`,
  };
}

/** Strides of a row-major array of `shape` (ignoring axes of length 1, whose stride never matters). */
function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const dim = shape[axis] ?? 1;
    if (dim !== 1 && strides[axis] !== expected) return false;
    expected *= dim;
  }
  return true;
}
