import type { AxisPlan, CrossEntropyPlan, ReduceOp } from '../../../../shared/tensor/index.js';
import { LINEAR_WORKGROUP, LINEAR_WORKGROUP_WGSL, type KernelLaunch, gridFor, packUniforms } from './launch.js';

/** Above this many elements per output, a whole workgroup shares each reduction. */
const COOPERATIVE_FROM = 512;

const AXIS_PARAMS = 'struct Params { outer: u32, size: u32, inner: u32 }';

/** WGSL combining `total` with `value`, and finishing `total` over `size` elements. */
const COMBINE: Readonly<Record<ReduceOp, { step: string; finish: string }>> = {
  sum: { step: 'total + value', finish: 'total' },
  mean: { step: 'total + value', finish: 'total / f32(params.size)' },
  max: { step: 'max(total, value)', finish: 'total' },
};

/** Start of a reduction: the first element for max (sizes are never 0 there), else 0. */
function initial(op: ReduceOp, firstIndex: string): string {
  return op === 'max' ? `input[${firstIndex}]` : '0.0';
}

/**
 * `[outer, size, inner]` to `[outer, inner]`: one invocation per output for short axes, one
 * workgroup per output (strided partial sums, then a tree in workgroup memory) for long ones.
 */
export function reduceLaunch(op: ReduceOp, plan: AxisPlan): KernelLaunch {
  const outputs = plan.outer * plan.inner;
  const uniforms = packUniforms([plan.outer, plan.size, plan.inner]);
  if (plan.size >= COOPERATIVE_FROM) {
    return { key: `reduce:${op}:cooperative`, uniforms, workgroups: gridFor(outputs), source: () => cooperativeSource(op) };
  }
  return { key: `reduce:${op}:serial`, uniforms, workgroups: gridFor(Math.ceil(outputs / LINEAR_WORKGROUP)), source: () => serialSource(op) };
}

const HEADER = /* wgsl */ `
${AXIS_PARAMS}
@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}`;

function serialSource(op: ReduceOp): string {
  const { step, finish } = COMBINE[op];
  return /* wgsl */ `${HEADER}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let o = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (o >= params.outer * params.inner) { return; }
  let base = (o / params.inner) * params.size * params.inner + o % params.inner;
  var total = ${initial(op, 'base')};
  for (var s = 0u; s < params.size; s++) {
    let value = input[base + s * params.inner];
    total = ${step};
  }
  output[o] = ${finish};
}`;
}

function cooperativeSource(op: ReduceOp): string {
  const { step, finish } = COMBINE[op];
  return /* wgsl */ `${HEADER}
var<workgroup> partial: array<f32, ${LINEAR_WORKGROUP}>;
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let o = linearWorkgroup(wid, groups);
  let inBounds = o < params.outer * params.inner;
  let base = (o / params.inner) * params.size * params.inner + o % params.inner;
  var total = ${op === 'max' ? 'select(0.0, input[base], inBounds)' : '0.0'};
  if (inBounds) {
    for (var s = lane; s < params.size; s += ${LINEAR_WORKGROUP}u) {
      let value = input[base + s * params.inner];
      total = ${step};
    }
  }
  partial[lane] = total;
  workgroupBarrier();
  for (var width = ${LINEAR_WORKGROUP / 2}u; width > 0u; width /= 2u) {
    if (lane < width) {
      let value = partial[lane + width];
      let total = partial[lane];
      partial[lane] = ${step};
    }
    workgroupBarrier();
  }
  if (lane == 0u && inBounds) {
    let total = partial[0];
    output[o] = ${finish};
  }
}`;
}

/** Softmax along the middle of `[outer, size, inner]`, one invocation per row, shifted by the row's maximum. */
export function softmaxLaunch(plan: AxisPlan): KernelLaunch {
  const rows = plan.outer * plan.inner;
  return {
    key: 'softmax',
    uniforms: packUniforms([plan.outer, plan.size, plan.inner]),
    workgroups: gridFor(Math.ceil(rows / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `${HEADER}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (row >= params.outer * params.inner) { return; }
  let base = (row / params.inner) * params.size * params.inner + row % params.inner;
  var highest = input[base];
  for (var s = 1u; s < params.size; s++) { highest = max(highest, input[base + s * params.inner]); }
  var total = 0.0;
  for (var s = 0u; s < params.size; s++) { total += exp(input[base + s * params.inner] - highest); }
  for (var s = 0u; s < params.size; s++) {
    let at = base + s * params.inner;
    output[at] = exp(input[at] - highest) / total;
  }
}`,
  };
}

/**
 * Fused softmax cross-entropy, one invocation per row: per-row loss `-sum(y * logSoftmax)` and
 * `dLogits = (softmax - y) / rows`. Labels are a one-hot row or a class index stored as f32.
 */
export function crossEntropyLaunch(plan: CrossEntropyPlan): KernelLaunch {
  const target = plan.labels === 'index' ? 'select(0.0, 1.0, u32(labels[row]) == col && labels[row] >= 0.0)' : 'labels[row * params.cols + col]';
  return {
    key: `crossEntropy:${plan.labels}`,
    uniforms: packUniforms([plan.rows, plan.cols]),
    workgroups: gridFor(Math.ceil(plan.rows / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `
struct Params { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<f32>;
@group(0) @binding(2) var<storage, read_write> rowLoss: array<f32>;
@group(0) @binding(3) var<storage, read_write> dLogits: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let row = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var highest = logits[base];
  for (var col = 1u; col < params.cols; col++) { highest = max(highest, logits[base + col]); }
  var total = 0.0;
  for (var col = 0u; col < params.cols; col++) { total += exp(logits[base + col] - highest); }
  let logTotal = log(total);
  var loss = 0.0;
  for (var col = 0u; col < params.cols; col++) {
    let y = ${target};
    let logProbability = logits[base + col] - highest - logTotal;
    loss -= y * logProbability;
    dLogits[base + col] = (exp(logProbability) - y) / f32(params.rows);
  }
  rowLoss[row] = loss;
}`,
  };
}
