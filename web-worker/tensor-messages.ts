import { z } from 'zod';
import { TensorReport } from '../shared/index.js';

const TensorBackend = z.enum(['webgpu', 'wasm', 'cpu']);

/** A tensor backend a tab may use. */
export type TensorBackendName = z.infer<typeof TensorBackend>;

/** The backends a volunteer may force with `?tensor=` on the join page. */
export const TENSOR_BACKENDS: readonly TensorBackendName[] = TensorBackend.options;

/**
 * Page → task Web Worker, right after it started: measure now (only `prefer`, if named). The
 * worker's other messages are `TaskWorkerRequest`s; `type` tells them apart.
 */
export const TensorSetup = z.object({
  type: z.literal('tensor-setup'),
  prefer: TensorBackend.exactOptional(),
});
export type TensorSetup = z.infer<typeof TensorSetup>;

/**
 * Task Web Worker → page: what it measured and chose. The page's other messages from it are
 * `TaskWorkerReply`s; `type` tells them apart.
 */
export const TensorChosen = z.object({ type: z.literal('tensor-chosen'), report: TensorReport });
export type TensorChosen = z.infer<typeof TensorChosen>;
