/**
 * Choosing the tensor backend when a tab joins: open what the browser has (WebGPU, the WASM
 * kernels, the CPU reference), time a small matmul on each (readback included), fit each
 * backend's time as a fixed cost plus a cost per multiply-add, and give task code a
 * `TensorCore` on the backend the fits say is fastest for its size.
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
import { type AvailableBackends, type BackendFigure, type BackendName, type MeasureOptions, measureBackends } from './measure.js';
import { type OpenOptions, type UnavailableBackend, describeError, openTensorBackends } from './open.js';
import { type BackendPolicy, type PolicyRange, chooseBackends } from './policy.js';
import { DEFAULT_TASK_MULTIPLY_ADDS, type TaskProfile, createSelectedTensorCore } from './selected-core.js';

export { lendBackend } from './lent-backend.js';
export { measureBackends, type AvailableBackends, type BackendFigure, type BackendName, type MeasureOptions } from './measure.js';
export { openTensorBackends, type OpenOptions, type OpenedBackends, type UnavailableBackend } from './open.js';
export { chooseBackends, fastestBackend, predictMs, type BackendModel, type BackendPolicy, type PolicyRange } from './policy.js';
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
  /** Backends this tab lacks (or that failed while measured), with the reason. */
  readonly unavailable: readonly UnavailableBackend[];
}

/** Options of `selectTensorBackends`. */
export interface SelectOptions extends OpenOptions {
  readonly measure?: Omit<MeasureOptions, 'onFailure'>;
  /** The task size `core` is chosen for. @default DEFAULT_TASK_MULTIPLY_ADDS */
  readonly taskMultiplyAdds?: number;
}

/** The outcome of `selectTensorBackends`. */
export interface TensorSelection {
  /** For task code (`ctx.tensor`): on `choice.chosen.backend`. */
  readonly core: TensorCore;
  readonly choice: TensorChoice;
  readonly policy: BackendPolicy;
  /** The backends kept: those the policy picks for some size. */
  readonly backends: AvailableBackends;
  /** A new core for one task, on the fastest backend for its size; destroy it when the task ends. */
  coreFor(task: TaskProfile): TensorCore;
  /** Releases every backend kept (for WebGPU, its device). */
  destroy(): void;
}

/**
 * Opens the backends, measures them, chooses, and returns a tensor core on the winner for a
 * typical task plus the summary to show. Took about 1.5 s in headless Chromium on SwiftShader
 * (opening the device, then 128 and 256 on three backends); a GPU whose time stays flat is
 * measured up to 1024 as well.
 * @example
 * const selection = await selectTensorBackends();
 * report({ tensor: selection.choice });
 * runTasks({ tensor: selection.core });
 */
export async function selectTensorBackends(options: SelectOptions = {}): Promise<TensorSelection> {
  const opened = await openTensorBackends(options);
  const backends: Partial<Record<BackendName, ComputeBackend>> = { ...opened.backends };
  const unavailable = [...opened.unavailable];
  const figures = await measureBackends(opened.backends, {
    ...options.measure,
    onFailure: (backend, error) => {
      unavailable.push({ backend, reason: `failed while measured: ${describeError(error)}` });
      backends[backend]?.destroy();
      delete backends[backend];
    },
  });
  const policy = chooseBackends(figures);
  // A backend that wins at no size would only hold memory (for WebGPU, a device).
  for (const name of Object.keys(backends) as BackendName[]) {
    if (!policy.ranges.some((range) => range.backend === name)) {
      backends[name]?.destroy();
      delete backends[name];
    }
  }
  const taskMultiplyAdds = options.taskMultiplyAdds ?? DEFAULT_TASK_MULTIPLY_ADDS;
  const core = createSelectedTensorCore(policy, backends, { multiplyAdds: taskMultiplyAdds });
  const choice: TensorChoice = {
    chosen: { backend: core.backendName as BackendName, taskMultiplyAdds, bySize: policy.ranges, routing: 'per-task' },
    figures,
    unavailable,
  };
  return {
    core,
    choice,
    policy,
    backends,
    coreFor: (task) => createSelectedTensorCore(policy, backends, task),
    destroy: () => Object.values(backends).forEach((backend) => backend.destroy()),
  };
}
