import { beforeAll, describe, expect, it } from 'vitest';
import { type ComputeBackend, createCpuBackend } from '../../../shared/tensor/index.js';
import { testKernels } from '../wasm/test-support.js';
import { type WasmBackend, createWasmBackend } from '../wasm-backend/index.js';
import { measureEach } from './measure-each.js';

describe('measureEach, on the real WASM and CPU backends', () => {
  let wasm: WasmBackend;

  beforeAll(async () => {
    wasm = createWasmBackend(await testKernels('simd'));
  }, 180_000);

  const measure = { sizes: [16, 32], runs: 1, maxSize: 32 };

  it('measures WASM first, and a GPU that hangs costs only its own time limit', async () => {
    let destroyed = false;
    // Beside the e2e test on the join page: here a GPU whose readback never answers.
    const hung: ComputeBackend = { ...createCpuBackend(), name: 'webgpu', download: () => new Promise(() => {}), destroy: () => void (destroyed = true) };
    const cpu = createCpuBackend();
    const found = await measureEach({ reuse: { wasm, webgpu: hung, cpu }, measure, timeLimitsMs: { webgpu: 200 } });
    expect(found.figures.map(({ backend }) => backend)).toEqual(['wasm', 'wasm', 'cpu', 'cpu']);
    expect(found.unavailable).toEqual([{ backend: 'webgpu', why: 'timeout', reason: 'TimeLimitError: webgpu: no answer within 200 ms' }]);
    expect(Object.keys(found.backends).sort()).toEqual(['cpu', 'wasm']);
    expect(found.unmeasured).toEqual([]);
    // Reused backends are the caller's to release.
    expect(destroyed).toBe(false);
  });

  it('lists a backend that fails while measured as failed, and one the runtime lacks as absent', async () => {
    const broken: ComputeBackend = { ...createCpuBackend(), name: 'webgpu', download: () => Promise.reject(new Error('device lost')) };
    const failed = await measureEach({ reuse: { webgpu: broken, wasm }, backends: ['webgpu', 'wasm'], measure });
    expect(failed.unavailable).toEqual([{ backend: 'webgpu', why: 'failed', reason: 'Error: device lost' }]);
    expect(failed.figures.every(({ backend }) => backend === 'wasm')).toBe(true);
    // Node has no navigator.gpu: opening WebGPU fails before anything is measured.
    const absent = await measureEach({ backends: ['webgpu'], measure });
    expect(absent.unavailable).toMatchObject([{ backend: 'webgpu', why: 'absent', reason: expect.stringContaining('WebGpuUnavailableError') as string }]);
    expect(absent.figures).toEqual([]);
  });
});
