import { TensorCore } from '../../../shared/tensor/index.js';
import { lendBackend } from './lent-backend.js';
import type { AvailableBackends, BackendName } from './measure.js';
import { type BackendPolicy, fastestBackend } from './policy.js';

/**
 * The size a task's work is taken to have when it says nothing: a 512³ matmul. Grid tasks are
 * the heavy ones, so an unknown task goes where large products are fastest.
 */
export const DEFAULT_TASK_MULTIPLY_ADDS = 512 ** 3;

/** What the choice of backend for one task goes by. */
export interface TaskProfile {
  /**
   * Multiply-adds of the task's typical matmul (`m·k·n`).
   * @default DEFAULT_TASK_MULTIPLY_ADDS
   * @example { multiplyAdds: 64 * 784 * 128 }
   */
  readonly multiplyAdds?: number;
}

/** When the policy knows none of the backends at hand. */
const FALLBACK_ORDER: readonly BackendName[] = ['webgpu', 'wasm', 'cpu'];

/**
 * A tensor core for one task, on the backend the policy predicts fastest for the task's size.
 * Every tensor of the task lives on that one backend (whole-task routing: nothing migrates
 * between backends mid-task). The core borrows the backend: destroying it frees the task's
 * leftover tensors and leaves the backend to later tasks.
 * @example
 * const core = createSelectedTensorCore(policy, { webgpu, wasm }, { multiplyAdds: 1024 ** 3 });
 * core.backendName; // 'webgpu' on a real GPU
 */
export function createSelectedTensorCore(policy: BackendPolicy, backends: AvailableBackends, task: TaskProfile = {}): TensorCore {
  const present = (Object.keys(backends) as BackendName[]).filter((name) => backends[name] !== undefined);
  const name = fastestBackend(policy, task.multiplyAdds ?? DEFAULT_TASK_MULTIPLY_ADDS, present) ?? FALLBACK_ORDER.find((backend) => present.includes(backend));
  const backend = name === undefined ? undefined : backends[name];
  if (backend === undefined) throw new RangeError('createSelectedTensorCore: no backend to run on');
  return new TensorCore(lendBackend(backend));
}
