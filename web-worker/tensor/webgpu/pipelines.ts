/**
 * Compute pipelines compiled once per kernel variant: the key names the kernel and every
 * parameter baked into its WGSL (tile sizes, rank, op), and the source is generated only on a miss.
 */
/** A compiled kernel and the layout its bind groups are made for. */
export interface CompiledKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

export class PipelineCache {
  readonly #device: GPUDevice;
  readonly #pipelines = new Map<string, CompiledKernel>();

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  get size(): number {
    return this.#pipelines.size;
  }

  get(key: string, source: () => string): CompiledKernel {
    const cached = this.#pipelines.get(key);
    if (cached !== undefined) return cached;
    const module = this.#device.createShaderModule({ label: key, code: source() });
    const pipeline = this.#device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: 'main' } });
    const compiled = { pipeline, layout: pipeline.getBindGroupLayout(0) };
    this.#pipelines.set(key, compiled);
    return compiled;
  }
}
