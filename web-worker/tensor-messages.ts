import type { TensorReport } from '../shared/index.js';

/** A tensor backend a tab may use. */
export type TensorBackendName = 'webgpu' | 'wasm' | 'cpu';

/** The backends a volunteer may force with `?tensor=` on the join page. */
export const TENSOR_BACKENDS: readonly TensorBackendName[] = ['webgpu', 'wasm', 'cpu'];

/** Page → task Web Worker, right after it started: measure now (only `prefer`, if named). */
export interface TensorSetup {
  type: 'tensor-setup';
  prefer?: TensorBackendName;
}

/** Task Web Worker → page: what it measured and chose. */
export interface TensorChosen {
  type: 'tensor-chosen';
  report: TensorReport;
}

/** @example if (isTensorSetup(event.data)) tensors.start(event.data.prefer) */
export function isTensorSetup(message: unknown): message is TensorSetup {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'tensor-setup';
}

/** @example if (isTensorChosen(event.data)) show(event.data.report) */
export function isTensorChosen(message: unknown): message is TensorChosen {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'tensor-chosen';
}
