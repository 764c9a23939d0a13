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
}

/** A fresh device with the largest buffers the adapter allows. */
export interface GpuDeviceGrant {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
}

/**
 * Asks the browser for an adapter and a new device (a new one on every call, so a lost
 * device can be replaced), raising the buffer-size limits to what the adapter supports.
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
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
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
  };
}
