import { describe, expect, it } from 'vitest';
import { BufferPool, bucketBytes } from './buffer-pool.js';

// Real buffers are pooled in Chromium in e2e/tensor.spec.ts; here a fake device counts them.

function fakeDevice() {
  const made: { size: number; destroyed: boolean }[] = [];
  const device = {
    createBuffer: ({ size }: { size: number }) => {
      const buffer = { size, destroyed: false, destroy: () => (buffer.destroyed = true) };
      made.push(buffer);
      return buffer;
    },
  };
  return { device: device as unknown as GPUDevice, made };
}

describe('bucketBytes', () => {
  it('rounds up to quarter steps of a power of two, at least 256 bytes and a multiple of 16', () => {
    expect(bucketBytes(1)).toBe(256);
    expect(bucketBytes(256)).toBe(256);
    expect(bucketBytes(257)).toBe(320);
    expect(bucketBytes(1000)).toBe(1024);
    expect(bucketBytes(1100)).toBe(1280);
    expect(bucketBytes(4 * 1024 * 1024 + 1)).toBe(5 * 1024 * 1024);
    for (let bytes = 1; bytes < 100_000; bytes += 97) {
      const bucket = bucketBytes(bytes);
      expect(bucket).toBeGreaterThanOrEqual(bytes);
      expect(bucket % 16).toBe(0);
      expect(bucket).toBeLessThanOrEqual(Math.max(256, bytes * 1.25 + 16));
    }
  });
});

describe('BufferPool', () => {
  it('reuses a released buffer of the same bucket only after a submit', () => {
    const { device, made } = fakeDevice();
    const pool = new BufferPool(device, 0, 1 << 20);
    const first = pool.acquire(1000);
    pool.release(first);
    expect(pool.acquire(1000)).not.toBe(first);
    pool.afterSubmit();
    expect(pool.acquire(900)).toBe(first);
    expect(pool.stats).toMatchObject({ created: 2, reused: 1 });
    expect(made).toHaveLength(2);
  });

  it('destroys released buffers beyond its idle budget', () => {
    const { device, made } = fakeDevice();
    const pool = new BufferPool(device, 0, 2048);
    const buffers = [pool.acquire(1024), pool.acquire(1024), pool.acquire(1024)];
    buffers.forEach((buffer) => pool.release(buffer));
    pool.afterSubmit();
    expect(pool.stats.idleBytes).toBe(2048);
    expect(made.filter((buffer) => buffer.destroyed)).toHaveLength(1);
    pool.destroy();
    expect(made.every((buffer) => buffer.destroyed)).toBe(true);
  });
});
