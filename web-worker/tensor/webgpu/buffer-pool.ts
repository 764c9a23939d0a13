/**
 * GPU buffers reused by size bucket. A released buffer may still be read by commands that are
 * recorded but not yet submitted, so it only becomes reusable after the next submit
 * (`afterSubmit`): queue order then guarantees a later write lands after those reads.
 */

/** Smallest buffer handed out: also the smallest legal binding of an `array<vec4<f32>>`. */
const MIN_BYTES = 256;

/**
 * Rounds up to a bucket: a quarter of the power of two below, so at most 25% is wasted.
 * @example bucketBytes(1000) // 1024; bucketBytes(1100) // 1280
 */
export function bucketBytes(bytes: number): number {
  if (bytes <= MIN_BYTES) return MIN_BYTES;
  const step = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / step) * step;
}

/** Counters for tests and the lab page. */
export interface PoolStats {
  created: number;
  reused: number;
  /** Bytes held idle in the pool. */
  idleBytes: number;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #usage: GPUBufferUsageFlags;
  readonly #maxIdleBytes: number;
  readonly #idle = new Map<number, GPUBuffer[]>();
  #pending: GPUBuffer[] = [];
  readonly stats: PoolStats = { created: 0, reused: 0, idleBytes: 0 };

  constructor(device: GPUDevice, usage: GPUBufferUsageFlags, maxIdleBytes: number) {
    this.#device = device;
    this.#usage = usage;
    this.#maxIdleBytes = maxIdleBytes;
  }

  acquire(bytes: number): GPUBuffer {
    const size = bucketBytes(bytes);
    const reusable = this.#idle.get(size)?.pop();
    if (reusable !== undefined) {
      this.stats.reused++;
      this.stats.idleBytes -= size;
      return reusable;
    }
    this.stats.created++;
    return this.#device.createBuffer({ size, usage: this.#usage });
  }

  /** Gives a buffer back; reusable after the next submit. */
  release(buffer: GPUBuffer): void {
    this.#pending.push(buffer);
  }

  /** Called right after each `queue.submit`. */
  afterSubmit(): void {
    for (const buffer of this.#pending) {
      if (this.stats.idleBytes + buffer.size > this.#maxIdleBytes) {
        buffer.destroy();
        continue;
      }
      const bucket = this.#idle.get(buffer.size) ?? [];
      bucket.push(buffer);
      this.#idle.set(buffer.size, bucket);
      this.stats.idleBytes += buffer.size;
    }
    this.#pending = [];
  }

  destroy(): void {
    for (const bucket of this.#idle.values()) for (const buffer of bucket) buffer.destroy();
    for (const buffer of this.#pending) buffer.destroy();
    this.#idle.clear();
    this.#pending = [];
    this.stats.idleBytes = 0;
  }
}
