import { describe, expect, it } from 'vitest';
import type { Capabilities, TensorReport } from '../../shared/index.js';
import { describeTensorReport, ReportedCapabilities, tensorPreference, tensorSummary } from './tensor.js';

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

  it('names each backend left out with the error it gave', () => {
    const measured = report.figures.filter(({ backend }) => backend !== 'webgpu');
    const hung: TensorReport = { ...report, figures: measured, unavailable: [{ backend: 'webgpu', why: 'timeout', reason: 'TimeLimitError: webgpu: no answer within 20000 ms' }] };
    expect(describeTensorReport(hung)).toBe(
      'WASM 45 GFLOPS, CPU 0.9 GFLOPS at 256×256 → using WASM (WebGPU left out, timeout: TimeLimitError: webgpu: no answer within 20000 ms)',
    );
  });

  it('says why nothing was measured', () => {
    expect(describeTensorReport(nothingMeasured)).toBe(
      'using WASM (nothing measured; WASM left out, timeout: TimeLimitError: wasm: no answer within 20000 ms; WebGPU left out, timeout: TimeLimitError: webgpu: no answer within 20000 ms)',
    );
  });
});

const nothingMeasured: TensorReport = {
  chosen: { backend: 'wasm' },
  figures: [],
  unavailable: [
    { backend: 'wasm', why: 'timeout', reason: 'TimeLimitError: wasm: no answer within 20000 ms' },
    { backend: 'webgpu', why: 'timeout', reason: 'TimeLimitError: webgpu: no answer within 20000 ms' },
  ],
};

describe('tensorSummary', () => {
  it("says in a volunteer's words where the tab computes, and why not on the graphics card", () => {
    const withoutGpu = (why: 'absent' | 'timeout' | 'failed'): TensorReport => ({
      ...report,
      figures: report.figures.filter(({ backend }) => backend !== 'webgpu'),
      unavailable: [{ backend: 'webgpu', why, reason: 'Error: raw words no volunteer should read' }],
    });
    expect(tensorSummary(withoutGpu('timeout'))).toBe('Using your processor: the graphics card did not answer in time');
    expect(tensorSummary(withoutGpu('absent'))).toBe('Using your processor: this browser lets web pages use no graphics card');
    expect(tensorSummary(withoutGpu('failed'))).toBe('Using your processor: the graphics card failed its test run');
    expect(tensorSummary(nothingMeasured)).toBe('Using your processor: the graphics card did not answer in time');
    expect(tensorSummary(report)).toBe('Using your processor: it is faster here than the graphics card');
    expect(tensorSummary({ ...report, chosen: { backend: 'webgpu' } })).toBe('Using your graphics card');
    // A report from before `why` existed reads as absent.
    expect(tensorSummary({ chosen: { backend: 'cpu' }, figures: [], unavailable: [{ backend: 'webgpu', reason: 'no adapter' }] })).toBe(
      'Using your processor: this browser lets web pages use no graphics card',
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
