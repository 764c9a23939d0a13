import { WebGpuUnavailableError } from '../errors.js';

/** What the adapter says it is, plus whether it emulates a GPU on the CPU. */
export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A software adapter (SwiftShader, or one the browser marks as fallback). */
  readonly cpuEmulated: boolean;
  /** Subgroup width when the adapter has exactly one (SwiftShader: 4), else undefined. */
  readonly subgroupSize: number | undefined;
  /** Every numeric limit of the adapter (`maxComputeWorkgroupStorageSize`, ...). */
  readonly limits: Readonly<Record<string, number>>;
}

/** Limits raised on the device to what the adapter allows: buffers, and what matmul tiles need. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
] as const;

/** A fresh device with the largest buffers the adapter allows. */
export interface GpuDeviceGrant {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
}

/**
 * Asks the browser for an adapter and a new device (a new one on every call, so a lost
 * device can be replaced), raising the buffer and workgroup limits to what the adapter supports.
 * @example const { device, adapter } = await requestGpuDevice();
 */
export async function requestGpuDevice(gpu: GPU | undefined = globalThis.navigator?.gpu): Promise<GpuDeviceGrant> {
  if (gpu === undefined) {
    throw new WebGpuUnavailableError('WebGPU is not available here (no navigator.gpu: an old browser, or a page not served from https or localhost)');
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new WebGpuUnavailableError('WebGPU is present but no adapter was granted');
  // Subgroups let the CPU-emulated matmul share loads (see kernels/matmul-subgroup.ts).
  // Asserted: an older copy of @webgpu/types (under TensorFlow.js) can shadow the feature names.
  const features = (adapter.features.has('subgroups') ? ['subgroups'] : []) as Iterable<GPUFeatureName>;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'tabgrid tensor core',
      requiredFeatures: features,
      requiredLimits: Object.fromEntries(RAISED_LIMITS.map((name) => [name, adapter.limits[name]])),
    });
  } catch (error) {
    throw new WebGpuUnavailableError('the WebGPU adapter refused to create a device', { cause: error });
  }
  return { device, adapter: describeAdapter(adapter) };
}

function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  // `isFallbackAdapter` moved from the adapter to its info; read whichever this browser has.
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    cpuEmulated: fallback || info.architecture === 'swiftshader',
    subgroupSize: info.subgroupMinSize === info.subgroupMaxSize ? info.subgroupMinSize : undefined,
    limits: adapterLimits(adapter.limits),
  };
}

/**
 * The numeric limits of an adapter or device: WebIDL attributes live on the prototype, so
 * `for...in` finds them.
 * @example adapterLimits(adapter.limits) // { maxBufferSize: 268435456, maxComputeWorkgroupStorageSize: 32768, ... }
 */
export function adapterLimits(limits: GPUSupportedLimits): Record<string, number> {
  const found: Record<string, number> = {};
  for (const name in limits) {
    const value: unknown = limits[name as keyof GPUSupportedLimits];
    if (typeof value === 'number' && Number.isFinite(value)) found[name] = value;
  }
  return found;
}
