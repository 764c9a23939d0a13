import { type ComputeBackend, createCpuBackend } from '../../../shared/tensor/index.js';
import { loadWasmBackend } from '../wasm-backend/index.js';
import { type WebGpuBackendOptions, createWebGpuBackend } from '../webgpu/backend.js';
import type { AvailableBackends, BackendName } from './measure.js';

/**
 * Why a backend is not used: the browser lacks it (`absent`), it did not answer within its time
 * limit (`timeout`), or it failed while tuned or measured (`failed`).
 */
export type UnavailableWhy = 'absent' | 'timeout' | 'failed';

/** A backend this tab cannot use, and why. */
export interface UnavailableBackend {
  readonly backend: BackendName;
  readonly why: UnavailableWhy;
  /** The error that said so: `WebGpuUnavailableError: WebGPU is present but no adapter was granted`. */
  readonly reason: string;
}

/** Options of `openTensorBackends`. */
export interface OpenOptions {
  /** Which backends to try. @default ['webgpu', 'wasm', 'cpu'] */
  readonly backends?: readonly BackendName[];
  readonly webgpu?: WebGpuBackendOptions;
}

/** The backends a tab could open. */
export interface OpenedBackends {
  readonly backends: AvailableBackends;
  readonly unavailable: readonly UnavailableBackend[];
}

const OPENERS: Readonly<Record<BackendName, (options: OpenOptions) => Promise<ComputeBackend>>> = {
  webgpu: (options) => createWebGpuBackend(options.webgpu),
  wasm: () => loadWasmBackend(),
  cpu: () => Promise.resolve(createCpuBackend()),
};

/**
 * Opens every backend this browser has: WebGPU where an adapter grants a device, the WASM
 * kernels where WebAssembly SIMD runs, and the CPU reference always. One that cannot open is
 * listed with its reason instead of failing the rest.
 * @example const { backends, unavailable } = await openTensorBackends();
 */
export async function openTensorBackends(options: OpenOptions = {}): Promise<OpenedBackends> {
  const backends: Partial<Record<BackendName, ComputeBackend>> = {};
  const unavailable: UnavailableBackend[] = [];
  for (const name of options.backends ?? ['webgpu', 'wasm', 'cpu']) {
    try {
      backends[name] = await openBackend(name, options);
    } catch (error) {
      unavailable.push({ backend: name, why: 'absent', reason: describeError(error) });
    }
  }
  return { backends, unavailable };
}

/**
 * Opens one backend.
 * @example const wasm = await openBackend('wasm');
 */
export function openBackend(name: BackendName, options: OpenOptions = {}): Promise<ComputeBackend> {
  return OPENERS[name](options);
}

/** `Name: message` of an error, for reports. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
