import type { Capabilities } from '../../shared/index.js';
import { truncate } from '../../worker/index.js';
import { within } from '../../worker/index.js';
import { adapterLimits } from '../tensor/webgpu/device.js';

/** The WebGPU adapter as reported in `hello`, or null for "no WebGPU". */
export type AdapterInfo = Capabilities['webgpu'];

/** What this browser's WebGPU offers: the adapter (null for none) and its limits. */
export interface DetectedAdapter {
  adapter: AdapterInfo;
  limits?: Record<string, number>;
}

const ADAPTER_TIMEOUT_MS = 5000;

/**
 * This browser's WebGPU adapter and its limits, or `{ adapter: null }` when there is none (no
 * `navigator.gpu` outside a secure context, no adapter, an error, or no answer within 5 s).
 * @example await detectAdapter() // { adapter: { vendor: 'google', architecture: 'swiftshader' }, limits: { maxBufferSize: 268435456, ... } }
 */
export async function detectAdapter(): Promise<DetectedAdapter> {
  if (!('gpu' in navigator) || !navigator.gpu) return { adapter: null };
  try {
    const adapter = await within(navigator.gpu.requestAdapter(), ADAPTER_TIMEOUT_MS, () => null);
    if (!adapter) return { adapter: null };
    // Chromium before 114 had no `adapter.info`.
    const info = adapter.info as GPUAdapterInfo | undefined;
    const found: NonNullable<AdapterInfo> = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '' };
    if (info?.description) found.description = info.description;
    return { adapter: found, limits: adapterLimits(adapter.limits) };
  } catch {
    return { adapter: null };
  }
}

/** What this tab reports about itself in `hello`; `debug` when it joined with `&debug=1`. */
export function browserCapabilities(detected: DetectedAdapter, debug = false): Capabilities {
  const capabilities: Capabilities = { runtime: 'browser', webgpu: detected.adapter, userAgent: truncate(navigator.userAgent, 1000) };
  if (detected.limits && Object.keys(detected.limits).length > 0) capabilities.limits = detected.limits;
  if (debug) capabilities.debug = true;
  const cores = navigator.hardwareConcurrency;
  if (Number.isInteger(cores) && cores > 0) capabilities.hardwareConcurrency = cores;
  // Chromium-only, and not in the DOM typings.
  const memory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  if (typeof memory === 'number' && memory > 0) capabilities.deviceMemory = memory;
  return capabilities;
}

/**
 * The graphics card (WebGPU adapter) as a volunteer reads it: `<vendor> <architecture>`, or that
 * the page may use none.
 * @example describeAdapter({ vendor: 'google', architecture: 'swiftshader' }) // 'google swiftshader'
 * @example describeAdapter(null) // 'none this browser lets web pages use'
 */
export function describeAdapter(adapter: AdapterInfo): string {
  if (!adapter) return 'none this browser lets web pages use';
  return `${adapter.vendor} ${adapter.architecture}`.trim() || 'one, unnamed';
}
