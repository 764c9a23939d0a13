import type { PermuteParams, SliceParams } from '../../../../shared/tensor/index.js';
import { stridesOf } from '../../../../shared/tensor/index.js';
import { LINEAR_WORKGROUP, LINEAR_WORKGROUP_WGSL, type KernelLaunch, dimAt, dimsField, dimsWords, gridFor, packUniforms } from './launch.js';

/** A permute: output axis `i` walks input axis `perm[i]`. */
export function permuteLaunch(params: PermuteParams): KernelLaunch {
  const inputStrides = stridesOf(params.shape);
  const outShape = params.perm.map((axis) => params.shape[axis] ?? 1);
  return gatherLaunch(outShape, params.perm.map((axis) => inputStrides[axis] ?? 0), 0);
}

/** A slice: the box at `begin` of `outShape`, read with the input's strides. */
export function sliceLaunch(params: SliceParams): KernelLaunch {
  const strides = stridesOf(params.shape);
  const offset = params.begin.reduce((total, start, axis) => total + start * (strides[axis] ?? 0), 0);
  return gatherLaunch(params.outShape, strides, offset);
}

/** Copies `input[offset + sum(coordinate * strides)]` for every coordinate of `outShape`, in row-major order. */
function gatherLaunch(outShape: readonly number[], strides: readonly number[], offset: number): KernelLaunch {
  const rank = outShape.length;
  const count = outShape.reduce((total, dim) => total * dim, 1);
  return {
    key: `gather:rank${rank}`,
    uniforms: packUniforms([count, offset, 0, 0, ...dimsWords(outShape), ...dimsWords(strides)]),
    workgroups: gridFor(Math.ceil(count / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `
struct Params { count: u32, offset: u32, ${dimsField('shape')}, ${dimsField('strides')} }
@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (i >= params.count) { return; }
  var rest = i;
  var source = params.offset;
  ${Array.from({ length: rank }, (_, k) => rank - 1 - k)
    .map(
      (axis) => `{
    let dim = ${dimAt('shape', axis)};
    source += (rest % dim) * ${dimAt('strides', axis)};
    rest = rest / dim;
  }`,
    )
    .join('\n  ')}
  output[i] = input[source];
}`,
  };
}

/**
 * One input's share of a concatenation: its rows of `width` elements go to each output row of
 * `rowLength`, starting at `column`. The backend dispatches this once per input.
 */
export function concatPartLaunch(outer: number, width: number, rowLength: number, column: number): KernelLaunch {
  const count = outer * width;
  return {
    key: 'concatPart',
    uniforms: packUniforms([count, width, rowLength, column]),
    workgroups: gridFor(Math.ceil(count / LINEAR_WORKGROUP)),
    source: () => /* wgsl */ `
struct Params { count: u32, width: u32, rowLength: u32, column: u32 }
@group(0) @binding(0) var<storage, read> input: array<f32>;
@group(0) @binding(1) var<storage, read_write> output: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
${LINEAR_WORKGROUP_WGSL}
@compute @workgroup_size(${LINEAR_WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = linearWorkgroup(wid, groups) * ${LINEAR_WORKGROUP}u + lane;
  if (i >= params.count) { return; }
  output[(i / params.width) * params.rowLength + params.column + i % params.width] = input[i];
}`,
  };
}
