import type { Capabilities, TensorReport } from '../../shared/index.js';
import { createTaskWorker, type TaskWorkerFactory } from '../browser-executor.js';
import { peekMessage, readMessage } from '../../worker/index.js';
import { TENSOR_BACKENDS, TensorChosen, type TensorBackendName, type TensorSetup } from '../tensor-messages.js';
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

/**
 * Starts task Web Workers that set up their tensor backends at once. The first measures them all
 * and tells `onReport` what it chose; every later one (a worker serves one job, so each job gets
 * its own) sets up only the backend the first chose, and reports nothing.
 * @example new BrowserExecutor({ createWorker: measuringTaskWorkers(undefined, (report) => show(report)) })
 */
export function measuringTaskWorkers(
  prefer: TensorBackendName | undefined,
  onReport: (report: TensorReport) => void,
  start: TaskWorkerFactory = createTaskWorker,
): TaskWorkerFactory {
  let chosen: TensorBackendName | undefined = prefer;
  let measuring = false;
  return () => {
    const worker = start();
    const reports = !measuring;
    measuring = true;
    // The task messages are the executor's; this one is checked here, where it enters.
    worker.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (!reports || peekMessage(event.data).type !== 'tensor-chosen') return;
      const read = readMessage(TensorChosen, event.data);
      if (!read.ok) {
        console.warn(`ignored a malformed 'tensor-chosen' message from a task Web Worker: ${read.reason}`);
        return;
      }
      chosen ??= TENSOR_BACKENDS.find((backend) => backend === read.message.report.chosen.backend);
      onReport(read.message.report);
    });
    const setup: TensorSetup = chosen ? { type: 'tensor-setup', prefer: chosen } : { type: 'tensor-setup' };
    worker.postMessage(setup);
    return worker;
  };
}

/**
 * The tensor line of the join page: each backend's GFLOPS at the largest size measured, fastest
 * first, and the one tasks use.
 * @example
 * describeTensorReport(report, { vendor: 'google', architecture: 'swiftshader' })
 * // 'WASM 45 GFLOPS, WebGPU 9.1 GFLOPS (swiftshader), CPU 0.9 GFLOPS at 256×256 → using WASM'
 */
export function describeTensorReport(report: TensorReport, adapter: AdapterInfo = null): string {
  const using = `using ${label(report.chosen.backend)}`;
  const size = Math.max(0, ...report.figures.map((figure) => figure.size));
  const figures = report.figures
    .filter((figure) => figure.size === size)
    .sort((a, b) => b.gflops - a.gflops)
    .map((figure) => `${label(figure.backend)} ${formatGflops(figure.gflops)} GFLOPS${figure.backend === 'webgpu' && adapter?.architecture ? ` (${adapter.architecture})` : ''}`);
  if (figures.length === 0) {
    const why = report.unavailable?.[0];
    return why ? `${using} (nothing measured: ${label(why.backend)}: ${why.reason})` : using;
  }
  return `${figures.join(', ')} at ${size}×${size} → ${using}`;
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
