/**
 * Choosing the tensor backend when a tab joins: open what the browser has (the WASM kernels,
 * WebGPU, the CPU reference), one at a time and each under its own time limit, time a small
 * matmul on each (readback included), fit each backend's time as a fixed cost plus a cost per
 * multiply-add, and give task code a `TensorCore` on the backend the fits say is fastest for its
 * size. A backend that is missing, fails or hangs is left out; the others still count.
 *
 * Routing is per task, not per op: a tensor lives on one backend, so moving one means a
 * readback, and WebGPU reads back only asynchronously while `TensorCore` ops are synchronous —
 * an op cannot migrate its operands mid-chain without changing what task code sees. A task's
 * matmuls are of one size more often than not, so the task's typical size decides.
 * @example
 * const { core, choice } = await selectTensorBackends();
 * console.log(choice.chosen.backend, choice.figures); // 'wasm', [{ backend: 'webgpu', size: 128, gflops: 3.1, ... }, ...]
 */
import type { ComputeBackend, TensorCore } from '../../../shared/tensor/index.js';
import type { WebGpuMatmulChoice } from '../webgpu/autotune.js';
import type { AvailableBackends, BackendFigure, BackendName } from './measure.js';
import { type MeasureEachOptions, measureEach } from './measure-each.js';
import type { UnavailableBackend } from './open.js';
import { type BackendPolicy, type PolicyRange, choosePolicy } from './policy.js';
import { DEFAULT_TASK_MULTIPLY_ADDS, type TaskProfile, createSelectedTensorCore } from './selected-core.js';

export { lendBackend } from './lent-backend.js';
export { measureBackends, type AvailableBackends, type BackendFigure, type BackendName, type MeasureOptions } from './measure.js';
export { DEFAULT_TIME_LIMITS, MEASURE_ORDER, measureEach, type MeasureEachOptions, type MeasuredBackends, type TimeLimits } from './measure-each.js';
export { openTensorBackends, type OpenOptions, type OpenedBackends, type UnavailableBackend, type UnavailableWhy } from './open.js';
export { chooseBackends, choosePolicy, fastestBackend, predictMs, type BackendModel, type BackendPolicy, type PolicyRange } from './policy.js';
export { TimeLimitError, isTimeLimitError, withTimeLimit } from './time-limit.js';
export { DEFAULT_TASK_MULTIPLY_ADDS, createSelectedTensorCore, type TaskProfile } from './selected-core.js';

/** What a tab chose and why, as plain JSON for the join page and the coordinator's capability report. */
export interface TensorChoice {
  readonly chosen: {
    /** The backend of `core`: the fastest for a task of `taskMultiplyAdds`. */
    readonly backend: BackendName;
    readonly taskMultiplyAdds: number;
    /** The fastest backend by size of matmul (multiply-adds), smallest first. */
    readonly bySize: readonly PolicyRange[];
    /** Each task runs wholly on one backend. */
    readonly routing: 'per-task';
  };
  /** What was measured: GFLOPS of a square matmul, readback included, per backend and size. */
  readonly figures: readonly BackendFigure[];
  /** Backends this tab lacks (or that failed or ran out of time while measured), with the reason. */
  readonly unavailable: readonly UnavailableBackend[];
  /** How a WebGPU backend opened here settled its matmul configuration (tuned, or from the cache). */
  readonly webgpuMatmul?: WebGpuMatmulChoice;
}

/** Options of `selectTensorBackends`: those of `measureEach`, and the task size. */
export interface SelectOptions extends MeasureEachOptions {
  /** The task size `core` is chosen for. @default DEFAULT_TASK_MULTIPLY_ADDS */
  readonly taskMultiplyAdds?: number;
}

/** The outcome of `selectTensorBackends`. */
export interface TensorSelection {
  /** For task code (`ctx.tensor`): on `choice.chosen.backend`. */
  readonly core: TensorCore;
  readonly choice: TensorChoice;
  readonly policy: BackendPolicy;
  /** The backends kept: those the policy picks for some size, and every one reused. */
  readonly backends: AvailableBackends;
  /** A new core for one task, on the fastest backend for its size; destroy it when the task ends. */
  coreFor(task: TaskProfile): TensorCore;
  /** Releases every backend kept (for WebGPU, its device). */
  destroy(): void;
}

/**
 * Opens the backends, measures them (`measureEach`: each under its own time limit, a new WebGPU
 * device's matmul tuned or taken from `matmulTunes` first), chooses (`choosePolicy`), and
 * returns a tensor core on the winner for a typical task plus the summary to show. A GPU whose
 * time stays flat is measured up to 1024 as well. Backends in `reuse` are measured again and
 * never destroyed.
 * @example
 * const selection = await selectTensorBackends();
 * report({ tensor: selection.choice });
 * runTasks({ tensor: selection.core });
 */
export async function selectTensorBackends(options: SelectOptions = {}): Promise<TensorSelection> {
  const measured = await measureEach(options);
  const backends: Partial<Record<BackendName, ComputeBackend>> = { ...measured.backends };
  const { figures, unavailable } = measured;
  const policy = choosePolicy(figures, measured.unmeasured);
  // A backend that wins at no size would only hold memory (for WebGPU, a device).
  for (const name of Object.keys(backends) as BackendName[]) {
    if (options.reuse?.[name] === undefined && !policy.ranges.some((range) => range.backend === name)) {
      backends[name]?.destroy();
      delete backends[name];
    }
  }
  const taskMultiplyAdds = options.taskMultiplyAdds ?? DEFAULT_TASK_MULTIPLY_ADDS;
  const core = createSelectedTensorCore(policy, backends, { multiplyAdds: taskMultiplyAdds });
  const chosen = { backend: core.backendName as BackendName, taskMultiplyAdds, bySize: policy.ranges, routing: 'per-task' } as const;
  const choice: TensorChoice = measured.webgpuMatmul ? { chosen, figures, unavailable, webgpuMatmul: measured.webgpuMatmul } : { chosen, figures, unavailable };
  return {
    core,
    choice,
    policy,
    backends,
    coreFor: (task) => createSelectedTensorCore(policy, backends, task),
    destroy: () => Object.entries(backends).forEach(([name, backend]) => options.reuse?.[name as BackendName] !== backend && backend.destroy()),
  };
}
