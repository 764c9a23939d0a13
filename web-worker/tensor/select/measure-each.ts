import type { ComputeBackend } from '../../../shared/tensor/index.js';
import { type TuneOptions, type WebGpuMatmulChoice, settleMatmul } from '../webgpu/autotune.js';
import type { WebGpuBackend } from '../webgpu/backend.js';
import { type AvailableBackends, type BackendFigure, type BackendName, type MeasureOptions, measureBackends } from './measure.js';
import { type OpenOptions, type UnavailableBackend, describeError, openBackend } from './open.js';
import { isTimeLimitError, withTimeLimit } from './time-limit.js';

/**
 * The order backends are measured in: WASM first (always there, and quick), so whatever WebGPU
 * does, a figure for it exists; then WebGPU; the CPU reference last.
 */
export const MEASURE_ORDER: readonly BackendName[] = ['wasm', 'webgpu', 'cpu'];

/**
 * Each backend's time limit for opening, tuning (WebGPU) and measuring it, in milliseconds.
 * @example { wasm: 20_000, webgpu: 20_000, cpu: 10_000 }
 */
export type TimeLimits = Readonly<Record<BackendName, number>>;

export const DEFAULT_TIME_LIMITS: TimeLimits = { wasm: 20_000, webgpu: 20_000, cpu: 10_000 };

/** Options of `measureEach`. */
export interface MeasureEachOptions extends OpenOptions {
  readonly measure?: Omit<MeasureOptions, 'onFailure'>;
  /** @default DEFAULT_TIME_LIMITS */
  readonly timeLimitsMs?: Partial<TimeLimits>;
  /** Backends already open (a second measurement): measured, never opened, tuned or destroyed here. */
  readonly reuse?: AvailableBackends;
  /** Matmul tunes known by adapter key (the page's cache); an adapter without one is tuned. */
  readonly matmulTunes?: Readonly<Record<string, string>>;
  /** The tune of a new WebGPU backend; false keeps its default configuration. @default {} */
  readonly tune?: TuneOptions | false;
}

/** What `measureEach` found. */
export interface MeasuredBackends {
  /** Open and measured, or (`unmeasured`) open and kept as a last resort. */
  readonly backends: Partial<Record<BackendName, ComputeBackend>>;
  readonly figures: readonly BackendFigure[];
  /** WASM or the CPU reference, opened, whose measurement ran past its limit. */
  readonly unmeasured: readonly BackendName[];
  readonly unavailable: readonly UnavailableBackend[];
  /** How a newly opened WebGPU backend's matmul configuration was settled. */
  readonly webgpuMatmul?: WebGpuMatmulChoice;
}

interface Step {
  backend?: ComputeBackend;
  webgpuMatmul?: WebGpuMatmulChoice;
  /** Set when the step's time was up: what it opens later is released. */
  abandoned: boolean;
  opened: boolean;
  /** Kept though unmeasured, or released already: nothing more to do with `backend`. */
  settled: boolean;
}

/**
 * Opens and measures the backends one at a time, each under its own time limit
 * (`MEASURE_ORDER`): one that is missing, fails or hangs is listed as unavailable and the others
 * go on. A WebGPU backend past its limit is destroyed (a hung device is no use); WASM or the CPU
 * reference past theirs stay open, unmeasured (the machine is only busy).
 * @example const { figures, unavailable } = await measureEach({ timeLimitsMs: { webgpu: 5000 } });
 */
export async function measureEach(options: MeasureEachOptions = {}): Promise<MeasuredBackends> {
  const limits = { ...DEFAULT_TIME_LIMITS, ...options.timeLimitsMs };
  const wanted = options.backends ?? MEASURE_ORDER;
  const backends: Partial<Record<BackendName, ComputeBackend>> = {};
  const figures: BackendFigure[] = [];
  const unmeasured: BackendName[] = [];
  const unavailable: UnavailableBackend[] = [];
  let webgpuMatmul: WebGpuMatmulChoice | undefined;
  for (const name of MEASURE_ORDER.filter((backend) => wanted.includes(backend))) {
    const reused = options.reuse?.[name];
    const step: Step = { abandoned: false, opened: false, settled: false };
    const release = (): void => {
      if (step.settled || step.backend === undefined) return;
      step.settled = true;
      if (step.backend !== reused) step.backend.destroy();
    };
    try {
      figures.push(...(await withTimeLimit(runStep(name, step, options), limits[name], name, release)));
      if (step.backend !== undefined) backends[name] = step.backend;
      webgpuMatmul = step.webgpuMatmul ?? webgpuMatmul;
    } catch (error) {
      step.abandoned = true;
      const why = isTimeLimitError(error) ? 'timeout' : step.opened ? 'failed' : 'absent';
      unavailable.push({ backend: name, why, reason: describeError(error) });
      if (why === 'timeout' && name !== 'webgpu' && step.backend !== undefined) {
        step.settled = true;
        backends[name] = step.backend;
        unmeasured.push(name);
      } else {
        release();
      }
    }
  }
  return webgpuMatmul === undefined ? { backends, figures, unmeasured, unavailable } : { backends, figures, unmeasured, unavailable, webgpuMatmul };
}

/** Opens (unless reused), tunes (a new WebGPU backend) and measures one backend. */
async function runStep(name: BackendName, step: Step, options: MeasureEachOptions): Promise<BackendFigure[]> {
  const reused = options.reuse?.[name];
  const backend = reused ?? (await openBackend(name, options));
  step.backend = backend;
  step.opened = true;
  if (step.abandoned) {
    // Opened after the limit: released by the limit's onLate.
    return [];
  }
  if (reused === undefined && isWebGpuBackend(backend)) {
    step.webgpuMatmul = await settleMatmul(backend, options.matmulTunes ?? {}, options.tune ?? {});
  }
  return measureBackends({ [name]: backend }, options.measure);
}

function isWebGpuBackend(backend: ComputeBackend): backend is WebGpuBackend {
  return backend.name === 'webgpu' && typeof (backend as Partial<WebGpuBackend>).useMatmulConfig === 'function';
}
