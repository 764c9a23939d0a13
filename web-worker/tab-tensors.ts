/**
 * `ctx.tensor` in a volunteer's tab: the task Web Worker measures the tensor backends when it
 * starts (at join), each under its own time limit, and lends every task a view of the one
 * chosen; a backend that fails for good is replaced by a new one, and the choice is measured
 * again when the GPU device is lost or the page says the conditions changed. Browser only (the WASM kernels are a Vite asset). The messages
 * between the page and the worker about it are in `tensor-messages.ts`.
 */
import type { TensorReport } from '../shared/index.js';
import { type ComputeBackend, TensorCore, createCpuBackend } from '../shared/tensor/index.js';
import type { LendOptions, LentTensorCore, TensorProvider } from '../worker/index.js';
import type { TensorBackendName } from './tensor-messages.js';
import {
  type BackendName,
  type BackendPolicy,
  DEFAULT_TASK_MULTIPLY_ADDS,
  DEFAULT_TIME_LIMITS,
  type MatmulTunes,
  type SelectOptions,
  type TensorChoice,
  type TimeLimits,
  type WebGpuMatmulChoice,
  type WasmBackend,
  fastestBackend,
  lendBackend,
  openTensorBackends,
  selectTensorBackends,
  withTimeLimit,
} from './tensor/index.js';

/** A WebGPU matmul tune for the page to keep, by adapter key. */
export interface MatmulTuneFound {
  readonly adapterKey: string;
  readonly config: string;
}

/** Options of {@link TabTensors}. */
export interface TabTensorsOptions {
  /**
   * Told what was measured and chosen each time a measurement is done, with a new WebGPU matmul
   * tune when one ran.
   */
  onReport?: (report: TensorReport, tune?: MatmulTuneFound) => void;
  /** Each backend's time limit for opening, tuning and measuring it. @default DEFAULT_TIME_LIMITS */
  timeLimitsMs?: Partial<TimeLimits>;
}

/** What the page says when it starts the measurement (`tensor-setup`). */
export interface TensorStart {
  /** Only this backend. */
  readonly prefer?: TensorBackendName | undefined;
  /** WebGPU matmul tunes the page keeps, by adapter key. */
  readonly matmulTunes?: MatmulTunes | undefined;
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
  #remeasuring: Promise<void> = Promise.resolve();
  #policy: BackendPolicy | undefined;
  #chosen: BackendName = 'cpu';
  #setup: TensorStart = {};
  #tunes: MatmulTunes = {};
  #webgpuMatmul: WebGpuMatmulChoice | undefined;

  constructor(private readonly options: TabTensorsOptions = {}) {}

  /** Measures and chooses, once; `prefer` limits the choice to that backend. Never rejects. */
  start(setup: TensorStart = {}): Promise<void> {
    this.#starting ??= this.#firstMeasure(setup);
    return this.#starting;
  }

  /**
   * Measures the backends again (the compute pressure changed), reusing those open, and reports
   * the new choice; `prefer` limits it to that backend (a worker set up with the backend another
   * chose measures them all again). Tasks go on meanwhile. Never rejects.
   */
  remeasure(prefer?: TensorBackendName): Promise<void> {
    this.#remeasuring = this.#remeasuring.then(async () => {
      await this.start();
      this.#setup = { ...this.#setup, prefer };
      await this.#measure();
    });
    return this.#remeasuring;
  }

  async ready(options: LendOptions = {}): Promise<void> {
    await this.start();
    await this.#reopening;
    // A task that may take every thread finds them up when it starts.
    const [, backend] = this.#pick();
    if (options.threads === true && hasThreads(backend)) await backend.startThreads(backend.maxThreads);
  }

  lend(options: LendOptions = {}): LentTensorCore {
    void this.start();
    const [name, backend] = this.#pick();
    // A task that may take every thread gets them on the WASM backend; others get one,
    // as the tab may run several tasks at once.
    if (hasThreads(backend)) backend.threads = options.threads === true ? backend.maxThreads : 1;
    const retire = (): void => this.#retire(name, backend);
    const core = new TensorCore(lendBackend(backend));
    return hasDevice(backend) ? { core, retire, forceDeviceLoss: () => backend.forceDeviceLoss() } : { core, retire };
  }

  async #firstMeasure(setup: TensorStart): Promise<void> {
    this.#setup = setup;
    this.#tunes = { ...setup.matmulTunes };
    await this.#measure();
  }

  /** Measures every backend wanted, reusing those open and opening the rest, then reports. */
  async #measure(): Promise<void> {
    const { prefer } = this.#setup;
    let report: TensorReport;
    let tune: MatmulTuneFound | undefined;
    try {
      const options: SelectOptions = { reuse: Object.fromEntries(this.#backends), matmulTunes: this.#tunes, timeLimitsMs: this.options.timeLimitsMs ?? {} };
      const selection = await selectTensorBackends(prefer ? { ...options, backends: [prefer] } : options);
      selection.core.destroy();
      for (const [name, backend] of Object.entries(selection.backends) as [BackendName, ComputeBackend][]) {
        if (this.#backends.get(name) !== backend) this.#keep(name, backend);
      }
      this.#policy = selection.policy;
      this.#chosen = selection.choice.chosen.backend;
      const settled = selection.choice.webgpuMatmul;
      if (settled !== undefined) this.#webgpuMatmul = settled;
      if (settled?.source === 'tuned') {
        this.#tunes[settled.adapterKey] = settled.config;
        tune = { adapterKey: settled.adapterKey, config: settled.config };
      }
      report = tensorReport(selection.choice, this.#backends.has('webgpu') ? this.#webgpuMatmul : undefined);
    } catch (error) {
      // Nothing measured and nothing to fall back on (the forced backend is missing).
      if (!this.#backends.has('cpu')) this.#keep('cpu', createCpuBackend());
      this.#chosen = 'cpu';
      report = { chosen: { backend: 'cpu' }, figures: [], unavailable: [{ backend: prefer ?? 'webgpu', why: 'absent', reason: describe(error) }] };
    }
    this.options.onReport?.(report, tune);
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
    // A new device may differ in speed from the old: the choice is measured again with it.
    if (name === 'webgpu') return this.#measure();
    try {
      const opened = await withTimeLimit(openTensorBackends({ backends: [name] }), DEFAULT_TIME_LIMITS[name], name);
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
export function tensorReport(choice: TensorChoice, webgpuMatmul: WebGpuMatmulChoice | undefined = choice.webgpuMatmul): TensorReport {
  const { backend, taskMultiplyAdds, bySize } = choice.chosen;
  const report: TensorReport = {
    chosen: { backend, taskMultiplyAdds, bySize: bySize.map((range) => ({ ...range })) },
    figures: choice.figures.map(({ backend: name, size, gflops, medianMs }) => ({ backend: name, size, gflops: round(gflops), medianMs: round(medianMs) })),
    unavailable: choice.unavailable.map(({ backend: name, why, reason }) => ({ backend: name, why, reason: reason.slice(0, 1000) })),
  };
  return webgpuMatmul ? { ...report, webgpuMatmul: { config: webgpuMatmul.config, source: webgpuMatmul.source } } : report;
}

function hasThreads(backend: ComputeBackend): backend is ComputeBackend & Pick<WasmBackend, 'threads' | 'maxThreads' | 'startThreads'> {
  return typeof (backend as Partial<WasmBackend>).maxThreads === 'number';
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

