import type { AxisPlan } from '../../../shared/tensor/index.js';
import { type WasmBuffer, type WasmKernels, broadcastLayout } from '../wasm/index.js';

/**
 * Softmax along the middle axis of `[outer, size, inner]` into `out`. Along the last axis
 * (`inner` 1) it is the kernel's fused row softmax. Along any other axis it is five vectorised
 * passes — `m = max x`, `e = x - m`, `e = exp e`, `s = sum e`, `e / s` — each
 * walking `inner` contiguously, rather than two transposes around the row kernel.
 */
export function softmaxInto(kernels: WasmKernels, x: WasmBuffer, out: WasmBuffer, plan: AxisPlan): void {
  const { outer, size, inner } = plan;
  if (out.length === 0) return;
  if (inner === 1) return kernels.softmax(x, out, { rows: outer, cols: size });
  const full = [outer, size, inner];
  const reduced = [outer, 1, inner];
  const dims = { outer, axisLength: size, inner };
  const held: WasmBuffer[] = [];
  const hold = (length: number): WasmBuffer => {
    const buffer = kernels.alloc(length);
    held.push(buffer);
    return buffer;
  };
  try {
    const max = hold(outer * inner);
    kernels.reduce('max', x, max, dims);
    const exps = hold(out.length);
    kernels.binaryStrided('sub', x, max, exps, broadcastLayout(full, reduced));
    kernels.unary('exp', exps, exps);
    const total = hold(outer * inner);
    kernels.reduce('sum', exps, total, dims);
    kernels.binaryStrided('div', exps, total, out, broadcastLayout(full, reduced));
  } finally {
    held.forEach((buffer) => kernels.free(buffer));
  }
}
