// Ops the WASM kernels have no kernel of their own for, built from the ones they have (the
// strided binary kernel as a gather, the 2-D transpose) or, failing that, from the CPU
// reference on copies. Each writes its whole `out`.
import {
  type BinaryParams,
  type ConcatPlan,
  MAX_RANK,
  type PermuteParams,
  type Shape,
  type SliceParams,
  binaryReference,
  concatReference,
  permuteReference,
  sliceReference,
  stridesOf,
} from '../../../shared/tensor/index.js';
import { type StridedLayout, type WasmBuffer, type WasmKernels, mergeDimensions } from '../wasm/index.js';

/** Copies `x` permuted: the transpose kernel for what merges into a 2-D transpose, a strided gather otherwise. */
export function permuteInto(kernels: WasmKernels, x: WasmBuffer, out: WasmBuffer, params: PermuteParams): void {
  if (out.length === 0) return;
  const inStrides = stridesOf(params.shape);
  const shape = params.perm.map((axis) => params.shape[axis] ?? 1);
  const strides = params.perm.map((axis) => inStrides[axis] ?? 0);
  if (!fitsKernel(shape, 0)) return kernels.write(out, permuteReference(kernels.read(x), params));
  const layout = gatherLayout(shape, strides);
  // out[c, r] = x[r * cols + c]: the plain 2-D transpose of x seen as [rows, cols].
  const [cols, rows] = layout.shape;
  if (layout.shape.length === 2 && layout.aStrides[0] === 1 && layout.aStrides[1] === cols && rows !== undefined && cols !== undefined) {
    return kernels.transpose(x, out, { rows, cols });
  }
  gatherInto(kernels, x, out, layout);
}

/** Copies the box `[begin, begin + outShape)` of `x` with a strided gather. */
export function sliceInto(kernels: WasmKernels, x: WasmBuffer, out: WasmBuffer, params: SliceParams): void {
  if (out.length === 0) return;
  const strides = stridesOf(params.shape);
  const offset = params.begin.reduce((total, start, axis) => total + start * (strides[axis] ?? 0), 0);
  if (!fitsKernel(params.outShape, offset)) return kernels.write(out, sliceReference(kernels.read(x), params));
  if (offset === 0) return gatherInto(kernels, x, out, gatherLayout(params.outShape, strides));
  // The kernel reads from the start of a buffer: a leading axis of 2 whose stride is `offset`
  // makes the second half of a twice-as-long result the box wanted.
  const twice = kernels.alloc(2 * out.length);
  try {
    gatherInto(kernels, x, twice, gatherLayout([2, ...params.outShape], [offset, ...strides]));
    kernels.write(out, kernels.read(twice).subarray(out.length));
  } finally {
    kernels.free(twice);
  }
}

/** Joins inputs seen as `[outer, sizes[i], inner]` along their middle axis. */
export function concatInto(kernels: WasmKernels, inputs: readonly WasmBuffer[], out: WasmBuffer, params: Omit<ConcatPlan, 'outShape'>): void {
  if (params.outer !== 1) return kernels.write(out, concatReference(inputs.map((input) => kernels.read(input)), params));
  let offset = 0;
  for (const input of inputs) {
    kernels.write(out, kernels.read(input), offset);
    offset += input.length;
  }
}

/** `out = a > 0 ? b : 0`, the relu gradient (a: the relu input, b: dY); the kernels have no such op. */
export function reluGradInto(kernels: WasmKernels, a: WasmBuffer, b: WasmBuffer, out: WasmBuffer, params: BinaryParams): void {
  const x = kernels.read(a);
  const dy = kernels.read(b);
  if (x.length !== out.length || dy.length !== out.length) return kernels.write(out, binaryReference('reluGrad', x, dy, params));
  // TensorCore.reluBackward passes equal shapes: one pass, no index arithmetic.
  for (let i = 0; i < dy.length; i++) if (!(x[i]! > 0)) dy[i] = 0;
  kernels.write(out, dy);
}

/** Room for the kernel's dimensions, counting the extra leading one a non-zero offset needs. */
function fitsKernel(shape: Shape, offset: number): boolean {
  return shape.filter((dim) => dim !== 1).length + (offset === 0 ? 0 : 1) <= MAX_RANK;
}

function gatherLayout(shape: Shape, strides: Shape): StridedLayout {
  return mergeDimensions({ shape, aStrides: strides, bStrides: shape.map(() => 0) });
}

const ZERO = new Float32Array(1);

/** `out[i..] = x[sum(i_d * aStrides[d])]` over the layout: the strided binary kernel computing `x - 0`, exact for every value, -0 included. */
function gatherInto(kernels: WasmKernels, x: WasmBuffer, out: WasmBuffer, layout: StridedLayout): void {
  const zero = kernels.alloc(1);
  try {
    kernels.write(zero, ZERO);
    kernels.binaryStrided('sub', x, zero, out, layout);
  } finally {
    kernels.free(zero);
  }
}
