/**
 * `ctx.tensor` in a volunteer's tab: the task Web Worker measures the tensor backends when it
 * starts (at join) and lends every task a view of the one chosen; a backend that fails for good
 * is replaced by a new one. Browser only (the WASM kernels are a Vite asset). The messages
 * between the page and the worker about it are in `tensor-messages.ts`.
 */
import type { TensorReport } from '../shared/index.js';
import { type ComputeBackend, TensorCore, createCpuBackend } from '../shared/tensor/index.js';
import type { LentTensorCore, TensorProvider } from '../worker/index.js';
import type { TensorBackendName } from './tensor-messages.js';
import {
  type BackendName,
  type BackendPolicy,
  DEFAULT_TASK_MULTIPLY_ADDS,
  type TensorChoice,
  fastestBackend,
  lendBackend,
  openTensorBackends,
  selectTensorBackends,
} from './tensor/index.js';
import { within } from '../worker/index.js';

/** Options of {@link TabTensors}. */
export interface TabTensorsOptions {
  /** Told what was measured and chosen, once the measurement is done. */
  onReport?: (report: TensorReport) => void;
  /**
   * Longest wait for the measurement (a WebGPU adapter that never answers); past it the tab
   * uses the CPU reference.
   * @default 20000
   */
  selectTimeoutMs?: number;
}

/** A backend with a device: WebGPU. */
interface DeviceBackend extends ComputeBackend {
  readonly lost: Promise<unknown>;
  forceDeviceLoss(): void;
}

/**
 * The tensor backends of one task worker. `start` measures them once (`selectTensorBackends`)
 * and keeps those the policy uses; `lend` gives a task a `TensorCore` over a view of the chosen
 * one (destroying it frees only what the task made), or of the CPU reference while nothing is
 * chosen yet. A lost device (seen through `lost`, or a
 * task's `DeviceLostError` / `OutOfMemoryError`) retires its backend: a new one of that kind is
 * opened at once, and `ready` waits for it, so no task ever gets a lost device.
 * @example
 * const tensors = new TabTensors({ onReport: (report) => postMessage({ type: 'tensor-chosen', report }) });
 * void tensors.start();
 * const host = new TaskHost({ post, importModule, tensor: tensors });
 */
export class TabTensors implements TensorProvider {
  readonly #backends = new Map<BackendName, ComputeBackend>();
  #starting: Promise<void> | undefined;
  #reopening: Promise<void> = Promise.resolve();
  #policy: BackendPolicy | undefined;
  #chosen: BackendName = 'cpu';

  constructor(private readonly options: TabTensorsOptions = {}) {}

  /** `work`, or a rejection once the selection timeout has passed without an answer. */
  #within<T>(work: Promise<T>): Promise<T> {
    const ms = this.options.selectTimeoutMs ?? 20_000;
    return within(work, ms, () => {
      throw new Error(`no answer within ${ms} ms`);
    });
  }

  /** Measures and chooses, once; `prefer` limits the choice to that backend. Never rejects. */
  start(prefer?: TensorBackendName): Promise<void> {
    this.#starting ??= this.#select(prefer);
    return this.#starting;
  }

  async ready(): Promise<void> {
    await this.start();
    await this.#reopening;
  }

  lend(): LentTensorCore {
    void this.start();
    const [name, backend] = this.#pick();
    const retire = (): void => this.#retire(name, backend);
    const core = new TensorCore(lendBackend(backend));
    return hasDevice(backend) ? { core, retire, forceDeviceLoss: () => backend.forceDeviceLoss() } : { core, retire };
  }

  async #select(prefer: TensorBackendName | undefined): Promise<void> {
    let report: TensorReport;
    try {
      const selection = await this.#within(selectTensorBackends(prefer ? { backends: [prefer] } : {}));
      selection.core.destroy();
      for (const [name, backend] of Object.entries(selection.backends) as [BackendName, ComputeBackend][]) this.#keep(name, backend);
      this.#policy = selection.policy;
      this.#chosen = selection.choice.chosen.backend;
      report = tensorReport(selection.choice);
    } catch (error) {
      // Nothing measured (the forced backend is missing, or the adapter never answered).
      this.#keep('cpu', createCpuBackend());
      this.#chosen = 'cpu';
      report = { chosen: { backend: 'cpu' }, figures: [], unavailable: [{ backend: prefer ?? 'webgpu', reason: describe(error) }] };
    }
    this.options.onReport?.(report);
  }

  #pick(): [BackendName, ComputeBackend] {
    const present = [...this.#backends.keys()];
    const fastest = this.#policy ? fastestBackend(this.#policy, DEFAULT_TASK_MULTIPLY_ADDS, present) : undefined;
    const name = present.includes(this.#chosen) ? this.#chosen : (fastest ?? present[0]);
    const backend = name === undefined ? undefined : this.#backends.get(name);
    if (name !== undefined && backend !== undefined) return [name, backend];
    const cpu = createCpuBackend();
    this.#keep('cpu', cpu);
    return ['cpu', cpu];
  }

  #keep(name: BackendName, backend: ComputeBackend): void {
    this.#backends.set(name, backend);
    if (hasDevice(backend)) void backend.lost.then(() => this.#retire(name, backend));
  }

  /** Drops a failed backend (once) and opens a new one of its kind in the background. */
  #retire(name: BackendName, backend: ComputeBackend): void {
    if (this.#backends.get(name) !== backend) return;
    this.#backends.delete(name);
    try {
      backend.destroy();
    } catch {
      // Lost already: nothing left to release.
    }
    this.#reopening = this.#reopening.then(() => this.#reopen(name));
  }

  async #reopen(name: BackendName): Promise<void> {
    try {
      const opened = await this.#within(openTensorBackends({ backends: [name] }));
      const fresh = opened.backends[name];
      if (fresh) this.#keep(name, fresh);
    } catch {
      // No new one: tasks go to the next best backend present (see #pick).
    }
  }
}

/**
 * The summary of a choice that goes to the page and the coordinator.
 * @example tensorReport(selection.choice) // { chosen: { backend: 'wasm', ... }, figures: [...], unavailable: [] }
 */
export function tensorReport(choice: TensorChoice): TensorReport {
  const { backend, taskMultiplyAdds, bySize } = choice.chosen;
  return {
    chosen: { backend, taskMultiplyAdds, bySize: bySize.map((range) => ({ ...range })) },
    figures: choice.figures.map(({ backend: name, size, gflops, medianMs }) => ({ backend: name, size, gflops: round(gflops), medianMs: round(medianMs) })),
    unavailable: choice.unavailable.map(({ backend: name, reason }) => ({ backend: name, reason: reason.slice(0, 1000) })),
  };
}

function hasDevice(backend: ComputeBackend): backend is DeviceBackend {
  const candidate = backend as Partial<DeviceBackend>;
  return typeof candidate.forceDeviceLoss === 'function' && candidate.lost instanceof Promise;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function describe(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 1000);
}

