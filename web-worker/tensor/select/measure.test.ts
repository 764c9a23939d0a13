import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type ComputeBackend, createCpuBackend } from '../../../shared/tensor/index.js';
import { testKernels } from '../wasm/test-support.js';
import { type WasmBackend, createWasmBackend } from '../wasm-backend/index.js';
import { type BackendName, measureBackends } from './measure.js';
import { chooseBackends, fastestBackend } from './policy.js';
import { createSelectedTensorCore } from './selected-core.js';

describe('measureBackends and the selected core, on the real WASM and CPU backends', () => {
  let wasm: WasmBackend;
  const cpu = createCpuBackend();

  beforeAll(async () => {
    wasm = createWasmBackend(await testKernels('simd'));
  }, 180_000);

  it('times each backend at each size, readback included, leaving nothing behind', async () => {
    const figures = await measureBackends({ wasm, cpu }, { sizes: [32, 64], runs: 3, maxSize: 64 });
    expect(figures.map(({ backend, size }) => `${backend}@${size}`)).toEqual(['wasm@32', 'cpu@32', 'wasm@64', 'cpu@64']);
    for (const figure of figures) {
      expect(figure.gflops).toBeGreaterThan(0);
      expect(figure.gflops).toBeCloseTo((2 * figure.size ** 3) / (figure.medianMs * 1e6), 6);
    }
    expect(wasm.stats().liveStorages).toBe(0);
    expect(cpu.liveStorageCount).toBe(0);
    // Which one wins is the machine's business (tests never assert on speed); the core must follow the policy.
    const policy = chooseBackends(figures);
    expect(policy.ranges.every(({ backend }) => backend === 'wasm' || backend === 'cpu')).toBe(true);
    const core = createSelectedTensorCore(policy, { wasm, cpu }, { multiplyAdds: 64 ** 3 });
    expect(core.backendName).toBe(fastestBackend(policy, 64 ** 3));
    expect(Array.from(await core.matmul(core.tensor([1, 2, 3, 4], [2, 2]), core.tensor([1, 0, 0, 1], [2, 2])).data())).toEqual([1, 2, 3, 4]);
    core.destroy();
    expect(wasm.stats().liveStorages + cpu.liveStorageCount).toBe(0);
  });

  it('leaves out a backend that fails, when asked to, and goes on with the rest', async () => {
    const broken: ComputeBackend = { ...createCpuBackend(), name: 'webgpu', download: () => Promise.reject(new Error('device lost')) };
    const failures: [BackendName, string][] = [];
    const figures = await measureBackends({ webgpu: broken, wasm }, {
      sizes: [16, 32], runs: 1, maxSize: 32, onFailure: (backend, error) => failures.push([backend, (error as Error).message]),
    });
    expect(failures).toEqual([['webgpu', 'device lost']]);
    expect(figures.map(({ backend }) => backend)).toEqual(['wasm', 'wasm']);
    await expect(measureBackends({ webgpu: broken }, { sizes: [16], runs: 1 })).rejects.toThrow('device lost');
  });

  it('measures a backend whose time does not grow at larger sizes, up to maxSize', async () => {
    // Latency-bound, like a real GPU at small sizes: every readback takes 5 ms whatever the size.
    // The clock is the test's (the product itself takes none of it), so a busy machine's pauses
    // cannot make the time look as if it grew.
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const cpuBackend = createCpuBackend();
      const latent: ComputeBackend = {
        ...cpuBackend,
        name: 'webgpu',
        download: (id) => {
          vi.advanceTimersByTime(5);
          return cpuBackend.download(id);
        },
      };
      const figures = await measureBackends({ webgpu: latent }, { sizes: [8, 16], runs: 1, maxSize: 64 });
      expect(figures.map(({ size }) => size)).toEqual([8, 16, 32, 64]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('falls back to a backend at hand when the policy knows none of them', () => {
    const policy = { models: [{ backend: 'webgpu', fixedMs: 1, msPerMillionMultiplyAdds: 0 }], measuredFromMultiplyAdds: 1, ranges: [{ backend: 'webgpu', fromMultiplyAdds: 0 }] } as const;
    expect(createSelectedTensorCore(policy, { cpu }).backendName).toBe('cpu');
    expect(() => createSelectedTensorCore(policy, {})).toThrow(/no backend/);
  });
});
