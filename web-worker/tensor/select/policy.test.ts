import { describe, expect, it } from 'vitest';
import type { BackendFigure, BackendName } from './measure.js';
import { chooseBackends, choosePolicy, fastestBackend, predictMs } from './policy.js';

/** Figures of a backend whose time is `fixedMs + n³ · msPerMultiplyAdd`. */
function figures(backend: BackendName, fixedMs: number, msPerMultiplyAdd: number, sizes = [128, 256]): BackendFigure[] {
  return sizes.map((size) => {
    const medianMs = fixedMs + size ** 3 * msPerMultiplyAdd;
    return { backend, size, medianMs, gflops: (2 * size ** 3) / (medianMs * 1e6) };
  });
}

describe('chooseBackends', () => {
  it('recovers the fixed and per-multiply-add costs of exact figures', () => {
    const policy = chooseBackends(figures('wasm', 0.05, 1e-7));
    expect(policy.models).toHaveLength(1);
    expect(policy.models[0]!.fixedMs).toBeCloseTo(0.05, 9);
    expect(policy.models[0]!.msPerMillionMultiplyAdds).toBeCloseTo(0.1, 9);
    expect(policy.ranges).toEqual([{ backend: 'wasm', fromMultiplyAdds: 0 }]);
  });

  it('sends small products to the cheap-to-start backend and large ones to the high-throughput one', () => {
    // wasm: 20 GFLOPS, no overhead; webgpu: 2 ms to start, 200 GFLOPS.
    const policy = chooseBackends([...figures('wasm', 0, 1e-10 * 1e3), ...figures('webgpu', 2, 1e-11 * 1e3)]);
    const crossover = 2 / (1e-7 - 1e-8);
    expect(policy.ranges).toEqual([
      { backend: 'wasm', fromMultiplyAdds: 0 },
      { backend: 'webgpu', fromMultiplyAdds: Math.round(crossover) },
    ]);
    expect(fastestBackend(policy, crossover / 2)).toBe('wasm');
    expect(fastestBackend(policy, crossover * 2)).toBe('webgpu');
    expect(fastestBackend(policy, crossover * 2, ['wasm', 'cpu'])).toBe('wasm');
    expect(fastestBackend(policy, 1, ['cpu'])).toBeUndefined();
  });

  it('keeps one backend for every size when it is fastest everywhere (SwiftShader: wasm beats its emulated GPU)', () => {
    const policy = chooseBackends([...figures('wasm', 0.01, 5e-8), ...figures('webgpu', 1, 1e-7), ...figures('cpu', 0.01, 2e-6)]);
    expect(policy.ranges).toEqual([{ backend: 'wasm', fromMultiplyAdds: 0 }]);
  });

  it('does not extrapolate below the smallest product measured', () => {
    // The CPU's lower fixed cost would win below ~1000 multiply-adds; 128³ is what was measured.
    const policy = chooseBackends([...figures('wasm', 0.02, 2e-8), ...figures('cpu', 0, 4e-7)]);
    expect(policy.measuredFromMultiplyAdds).toBe(128 ** 3);
    expect(policy.ranges).toEqual([{ backend: 'wasm', fromMultiplyAdds: 0 }]);
    expect(fastestBackend(policy, 10)).toBe('wasm');
  });

  it('takes a GPU whose time did not grow as latency-bound: flat, winning above a crossover', () => {
    const flat = [
      { backend: 'webgpu', size: 128, medianMs: 0.6, gflops: 7 },
      { backend: 'webgpu', size: 256, medianMs: 0.55, gflops: 61 },
    ] as const;
    const policy = chooseBackends([...flat, ...figures('wasm', 0, 5e-8)]);
    const webgpu = policy.models.find((model) => model.backend === 'webgpu')!;
    expect(webgpu).toEqual({ backend: 'webgpu', fixedMs: 0.575, msPerMillionMultiplyAdds: 0 });
    expect(policy.ranges.map((range) => range.backend)).toEqual(['wasm', 'webgpu']);
    expect(policy.ranges[1]!.fromMultiplyAdds).toBe(Math.round(0.575 / 5e-8));
  });

  it('fits through the origin when noise would make the fixed cost negative, and takes one size as all per-item cost', () => {
    const noisy = [
      { backend: 'cpu', size: 128, medianMs: 1, gflops: 4.2 },
      { backend: 'cpu', size: 256, medianMs: 10, gflops: 3.4 },
    ] as const;
    const [fit] = chooseBackends(noisy).models;
    expect(fit!.fixedMs).toBe(0);
    expect(predictMs(fit!, 256 ** 3)).toBeGreaterThan(9);
    const [single] = chooseBackends(figures('wasm', 0, 1e-7, [256])).models;
    expect(single).toEqual({ backend: 'wasm', fixedMs: 0, msPerMillionMultiplyAdds: expect.closeTo(0.1, 9) as number });
  });

  it('needs figures', () => {
    expect(() => chooseBackends([])).toThrow(/no figures/);
  });
});

describe('choosePolicy', () => {
  const wasm = figures('wasm', 0.02, 2e-8);
  const cpu = figures('cpu', 0, 4e-7);
  const webgpu = figures('webgpu', 1, 1e-9);

  it('chooses from what was measured when everything answered', () => {
    expect(choosePolicy([...wasm, ...cpu, ...webgpu], [])).toEqual(chooseBackends([...wasm, ...cpu, ...webgpu]));
  });

  it('never loses WASM to a GPU that failed or hung: it is measured without it', () => {
    expect(choosePolicy([...wasm, ...cpu], []).ranges).toEqual([{ backend: 'wasm', fromMultiplyAdds: 0 }]);
  });

  it('takes WASM that opened but ran out of time over a measured CPU reference', () => {
    expect(choosePolicy(cpu, ['wasm']).ranges).toEqual([{ backend: 'wasm', fromMultiplyAdds: 0 }]);
    // A measured GPU still beats an unmeasured WASM where its fit says so.
    expect(choosePolicy([...webgpu, ...cpu], ['wasm']).models.map(({ backend }) => backend)).toEqual(['webgpu']);
  });

  it('falls back on WASM, then the CPU reference, when nothing was measured', () => {
    expect(choosePolicy([], ['cpu', 'wasm']).ranges).toEqual([{ backend: 'wasm', fromMultiplyAdds: 0 }]);
    expect(choosePolicy([], ['cpu']).ranges).toEqual([{ backend: 'cpu', fromMultiplyAdds: 0 }]);
    expect(() => choosePolicy([], [])).toThrow(/nothing measured/);
  });
});
