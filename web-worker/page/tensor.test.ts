import { describe, expect, it } from 'vitest';
import type { Capabilities, TensorReport } from '../../shared/index.js';
import { describeTensorReport, ReportedCapabilities, tensorPreference } from './tensor.js';

const report: TensorReport = {
  chosen: { backend: 'wasm' },
  figures: [
    { backend: 'webgpu', size: 128, gflops: 3 },
    { backend: 'wasm', size: 128, gflops: 30 },
    { backend: 'webgpu', size: 256, gflops: 9.06 },
    { backend: 'wasm', size: 256, gflops: 45.2 },
    { backend: 'cpu', size: 256, gflops: 0.87 },
  ],
  unavailable: [],
};

describe('tensorPreference', () => {
  it('reads ?tensor= when it names a backend', () => {
    expect(tensorPreference(new URLSearchParams('token=x&tensor=webgpu'))).toBe('webgpu');
    expect(tensorPreference(new URLSearchParams('token=x&tensor=cuda'))).toBeUndefined();
    expect(tensorPreference(new URLSearchParams('token=x'))).toBeUndefined();
  });
});

describe('describeTensorReport', () => {
  it('lists the figures at the largest size, fastest first, and the backend used', () => {
    expect(describeTensorReport(report, { vendor: 'google', architecture: 'swiftshader' })).toBe(
      'WASM 45 GFLOPS, WebGPU 9.1 GFLOPS (swiftshader), CPU 0.9 GFLOPS at 256×256 → using WASM',
    );
  });

  it('says in plain words why a backend is left out, not the raw error', () => {
    const measured = report.figures.filter(({ backend }) => backend !== 'webgpu');
    const hung: TensorReport = { ...report, figures: measured, unavailable: [{ backend: 'webgpu', why: 'timeout', reason: 'TimeLimitError: webgpu: no answer within 20000 ms' }] };
    expect(describeTensorReport(hung)).toBe('WASM 45 GFLOPS, CPU 0.9 GFLOPS at 256×256 → using WASM (the GPU did not answer in time)');
    const absent: TensorReport = { ...hung, unavailable: [{ backend: 'webgpu', why: 'absent', reason: 'WebGpuUnavailableError: WebGPU is present but no adapter was granted' }] };
    expect(describeTensorReport(absent)).toBe('WASM 45 GFLOPS, CPU 0.9 GFLOPS at 256×256 → using WASM (no GPU available to this browser)');
    const failed: TensorReport = { ...hung, unavailable: [{ backend: 'webgpu', why: 'failed', reason: 'DeviceLostError: webgpu: device lost' }] };
    expect(describeTensorReport(failed)).toBe('WASM 45 GFLOPS, CPU 0.9 GFLOPS at 256×256 → using WASM (the GPU failed while measured)');
  });

  it('says why nothing was measured', () => {
    const none: TensorReport = {
      chosen: { backend: 'wasm' },
      figures: [],
      unavailable: [
        { backend: 'wasm', why: 'timeout', reason: 'TimeLimitError: wasm: no answer within 20000 ms' },
        { backend: 'webgpu', why: 'timeout', reason: 'TimeLimitError: webgpu: no answer within 20000 ms' },
      ],
    };
    expect(describeTensorReport(none)).toBe('using WASM (nothing measured: WASM did not answer in time; the GPU did not answer in time)');
    // A report from before `why` existed reads as absent.
    expect(describeTensorReport({ chosen: { backend: 'cpu' }, figures: [], unavailable: [{ backend: 'webgpu', reason: 'no adapter' }] })).toBe(
      'using CPU (nothing measured: no GPU available to this browser)',
    );
  });
});

describe('ReportedCapabilities', () => {
  it('adds the tensor report and tells the attached client', () => {
    const base: Capabilities = { runtime: 'browser', webgpu: null, userAgent: 'test' };
    const reported = new ReportedCapabilities(base);
    const sent: Capabilities[] = [];
    reported.attach({ updateCapabilities: (capabilities) => sent.push(capabilities) });
    reported.addTensor(report);
    expect(reported.current).toEqual({ ...base, tensor: report });
    expect(sent).toEqual([{ ...base, tensor: report }]);
  });
});
