import { z } from 'zod';
import { TensorReport } from '../shared/index.js';
import { MatmulTunes } from './tensor/webgpu/tune-cache.js';

const TensorBackend = z.enum(['webgpu', 'wasm', 'cpu']);

/** A tensor backend a tab may use. */
export type TensorBackendName = z.infer<typeof TensorBackend>;

/** The backends a volunteer may force with `?tensor=` on the join page. */
export const TENSOR_BACKENDS: readonly TensorBackendName[] = TensorBackend.options;

/**
 * Page → task Web Worker, right after it started: measure now (only `prefer`, if named), with
 * the WebGPU matmul tunes the page keeps (`matmulTunes`, by adapter key). The worker's other
 * messages are `TaskWorkerRequest`s; `type` tells them apart.
 */
export const TensorSetup = z.object({
  type: z.literal('tensor-setup'),
  prefer: TensorBackend.exactOptional(),
  matmulTunes: MatmulTunes.exactOptional(),
});
export type TensorSetup = z.infer<typeof TensorSetup>;

/**
 * Page → a task Web Worker: the tab's conditions changed (the compute pressure): measure the
 * backends again and send a new `tensor-chosen`.
 */
export const TensorRemeasure = z.object({
  type: z.literal('tensor-remeasure'),
  reason: z.enum(['pressure']),
  /** Only this backend (the one the volunteer forced); every backend when absent. */
  prefer: TensorBackend.exactOptional(),
});
export type TensorRemeasure = z.infer<typeof TensorRemeasure>;

/**
 * Task Web Worker → page: what it measured and chose, and a new matmul tune for the page to keep
 * (`matmulTune`, when it tuned). The page's other messages from it are `TaskWorkerReply`s;
 * `type` tells them apart.
 */
export const TensorChosen = z.object({
  type: z.literal('tensor-chosen'),
  report: TensorReport,
  matmulTune: z.object({ adapterKey: z.string().max(1000), config: z.string().max(100) }).exactOptional(),
});
export type TensorChosen = z.infer<typeof TensorChosen>;
