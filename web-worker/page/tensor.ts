import type { Capabilities, TensorReport } from '../../shared/index.js';
import { createTaskWorker, type TaskWorkerFactory } from '../browser-executor.js';
import { peekMessage, readMessage } from '../../worker/index.js';
import { TENSOR_BACKENDS, TensorChosen, type TensorBackendName, type TensorRemeasure, type TensorSetup } from '../tensor-messages.js';
import { type TuneStorage, readMatmulTunes, rememberMatmulTune } from '../tensor/webgpu/tune-cache.js';
import type { AdapterInfo } from './capabilities.js';

const LABELS: Readonly<Record<string, string>> = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU' };

/**
 * The backend a volunteer (or a test) forces with `?tensor=webgpu|wasm|cpu`, else undefined
 * (measure and choose).
 * @example tensorPreference(new URLSearchParams('token=x&tensor=webgpu')) // 'webgpu'
 */
export function tensorPreference(params: URLSearchParams): TensorBackendName | undefined {
  const named = params.get('tensor');
  return TENSOR_BACKENDS.find((backend) => backend === named);
}

/** The task worker factory of {@link measuringTaskWorkers}, which can also measure again. */
export interface MeasuringTaskWorkers extends TaskWorkerFactory {
  /**
   * The tab's conditions changed (the compute pressure): the newest task worker measures every
   * backend again (or only the one the volunteer forced) and `onReport` hears the new choice;
   * workers started later set up that one.
   */
  remeasure(reason: TensorRemeasure['reason']): void;
}

/**
 * Starts task Web Workers that set up their tensor backends. The first measures them all and
 * tells `onReport` what it chose; every later one (a worker serves one job, so each job gets its
 * own) sets up only the backend the first chose, and reports nothing unless asked to `remeasure`.
 * One started while the first still measures is set up once the choice is known: a tab that
 * starts a worker per core measures once, not once a core, each slowed by the others. (A task
 * that needs `ctx.tensor` before then makes that worker measure for itself; its report counts
 * while none has come.) Every worker gets the WebGPU matmul tunes kept in `storage` (the worker
 * cannot reach storage), and a tune a worker reports is kept there for the next join.
 * @example new BrowserExecutor({ createWorker: measuringTaskWorkers(undefined, (report) => show(report), localStorage) })
 */
export function measuringTaskWorkers(
  prefer: TensorBackendName | undefined,
  onReport: (report: TensorReport) => void,
  storage: TuneStorage | undefined = globalThis.localStorage,
  start: TaskWorkerFactory = createTaskWorker,
): MeasuringTaskWorkers {
  let chosen: TensorBackendName | undefined = prefer;
  let newest: Worker | undefined;
  const reporters = new WeakSet<Worker>();
  /** Started while the first measurement ran: set up when its choice comes. */
  const waiting = new Set<Worker>();
  const setUp = (worker: Worker): void => {
    const matmulTunes = readMatmulTunes(storage);
    const setup: TensorSetup = chosen ? { type: 'tensor-setup', prefer: chosen, matmulTunes } : { type: 'tensor-setup', matmulTunes };
    worker.postMessage(setup);
  };
  const hear = (event: MessageEvent<unknown>): void => {
    // The task messages are the executor's; this one is checked here, where it enters.
    const from = event.target as Worker;
    if (peekMessage(event.data).type !== 'tensor-chosen' || !(reporters.has(from) || chosen === undefined)) return;
    const read = readMessage(TensorChosen, event.data);
    if (!read.ok) {
      console.warn(`ignored a malformed 'tensor-chosen' message from a task Web Worker: ${read.reason}`);
      return;
    }
    const { report, matmulTune } = read.message;
    if (matmulTune) rememberMatmulTune(storage, matmulTune.adapterKey, matmulTune.config);
    chosen = prefer ?? TENSOR_BACKENDS.find((backend) => backend === report.chosen.backend);
    waiting.delete(from);
    for (const worker of waiting) setUp(worker);
    waiting.clear();
    onReport(report);
  };
  const factory = (): Worker => {
    const worker = start();
    worker.addEventListener('message', hear);
    if (newest === undefined) reporters.add(worker);
    if (newest !== undefined && chosen === undefined) waiting.add(worker);
    else setUp(worker);
    newest = worker;
    return worker;
  };
  return Object.assign(factory, {
    remeasure(reason: TensorRemeasure['reason']): void {
      if (newest === undefined) return;
      reporters.add(newest);
      const message: TensorRemeasure = prefer ? { type: 'tensor-remeasure', reason, prefer } : { type: 'tensor-remeasure', reason };
      newest.postMessage(message);
    },
  });
}

/**
 * Where the tab computes, in a volunteer's words: the graphics card or the processor, and why not
 * the graphics card when it is left out. The figures and the raw errors are in
 * {@link describeTensorReport}, which the page keeps one click away.
 * @example tensorSummary(report) // 'Using your processor: the graphics card did not answer in time'
 * @example tensorSummary(report) // 'Using your graphics card'
 */
export function tensorSummary(report: TensorReport): string {
  if (report.chosen.backend === 'webgpu') return 'Using your graphics card';
  const gpu = report.unavailable?.find(({ backend }) => backend === 'webgpu');
  if (gpu) return `Using your processor: ${GPU_LEFT_OUT[gpu.why ?? 'absent']}`;
  const measured = report.figures.some(({ backend }) => backend === 'webgpu');
  return measured ? 'Using your processor: it is faster here than the graphics card' : 'Using your processor';
}

const GPU_LEFT_OUT = {
  absent: 'this browser lets web pages use no graphics card',
  timeout: 'the graphics card did not answer in time',
  failed: 'the graphics card failed its test run',
} as const;

/**
 * The measurements behind {@link tensorSummary}, for the curious and for bug reports: each
 * backend's GFLOPS at the largest size measured, fastest first, the one tasks use, and each
 * backend left out with the error it gave.
 * @example
 * describeTensorReport(report, { vendor: 'google', architecture: 'swiftshader' })
 * // 'WASM 45 GFLOPS, WebGPU 9.1 GFLOPS (swiftshader), CPU 0.9 GFLOPS at 256×256 → using WASM'
 * // with WebGPU hung: 'WASM 45 GFLOPS, CPU 0.9 GFLOPS at 256×256 → using WASM (WebGPU left out, timeout: TimeLimitError: webgpu: no answer within 20000 ms)'
 */
export function describeTensorReport(report: TensorReport, adapter: AdapterInfo = null): string {
  const using = `using ${label(report.chosen.backend)}`;
  const size = Math.max(0, ...report.figures.map((figure) => figure.size));
  const figures = report.figures
    .filter((figure) => figure.size === size)
    .sort((a, b) => b.gflops - a.gflops)
    .map((figure) => `${label(figure.backend)} ${formatGflops(figure.gflops)} GFLOPS${figure.backend === 'webgpu' && adapter?.architecture ? ` (${adapter.architecture})` : ''}`);
  const reasons = (report.unavailable ?? []).map(({ backend, why, reason }) => `${label(backend)} left out, ${why ?? 'absent'}: ${reason}`);
  if (figures.length === 0) return `${using} (nothing measured${reasons.length > 0 ? `; ${reasons.join('; ')}` : ''})`;
  const measured = `${figures.join(', ')} at ${size}×${size} → ${using}`;
  return reasons.length > 0 ? `${measured} (${reasons.join('; ')})` : measured;
}

/**
 * The capabilities a tab reports, with the tensor backends once they are measured: sent to the
 * coordinator in a `capabilities` message (the tab joins without waiting for the measurement).
 * @example
 * const reported = new ReportedCapabilities(browserCapabilities(detected));
 * const client = new WorkerClient({ ...options, capabilities: reported.current });
 * reported.attach(client);
 * reported.addTensor(report);
 */
export class ReportedCapabilities {
  #current: Capabilities;
  #client: { updateCapabilities(capabilities: Capabilities): void } | undefined;

  constructor(initial: Capabilities) {
    this.#current = initial;
  }

  get current(): Capabilities {
    return this.#current;
  }

  /** The client to tell of later changes (it was made with {@link current}). */
  attach(client: { updateCapabilities(capabilities: Capabilities): void }): void {
    this.#client = client;
  }

  addTensor(report: TensorReport): void {
    this.#current = { ...this.#current, tensor: report };
    this.#client?.updateCapabilities(this.#current);
  }
}

function label(backend: string): string {
  return LABELS[backend] ?? backend;
}

function formatGflops(gflops: number): string {
  return gflops >= 10 ? gflops.toFixed(0) : gflops.toFixed(1);
}
