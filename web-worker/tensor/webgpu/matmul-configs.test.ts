import { describe, expect, it } from 'vitest';
import { registerMatmulLaunch } from './kernels/matmul-register.js';
import { MATMUL_CONFIGS, configsWithin, defaultConfig, matmulLaunchFor, needsRowMajor, tuneCandidates } from './matmul-configs.js';

const CORE_LIMITS = { maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256 };
const names = (configs: readonly { name: string }[]): string[] => configs.map(({ name }) => name);
const matmul = { batch: 1, m: 129, k: 67, n: 131, aBatchStride: 0, bBatchStride: 0, transposeA: false, transposeB: false };

describe('matmul configurations', () => {
  it('keeps every configuration within WebGPU core limits, subgroups where the device has them', () => {
    expect(names(configsWithin(CORE_LIMITS, true))).toEqual(names(MATMUL_CONFIGS));
    expect(names(configsWithin(CORE_LIMITS, false))).not.toContain('direct+subgroups');
  });

  it('leaves out what a smaller adapter does not allow: invocations, workgroup memory, workgroup width', () => {
    // Compatibility-mode limits: 128 invocations per workgroup.
    expect(names(configsWithin({ ...CORE_LIMITS, maxComputeInvocationsPerWorkgroup: 128 }, true))).toEqual(['direct', 'direct+subgroups']);
    const small = names(configsWithin({ ...CORE_LIMITS, maxComputeWorkgroupStorageSize: 8192 }, false));
    expect(small).toEqual(['register-64x64-4x4-k8', 'tiled-64x64', 'direct']);
    expect(names(configsWithin({ ...CORE_LIMITS, maxComputeWorkgroupSizeX: 8 }, false))).toEqual(['direct']);
  });

  it('tunes only the direct kernels on a CPU-emulated adapter, everything allowed on a GPU', () => {
    const allowed = configsWithin(CORE_LIMITS, true);
    expect(names(tuneCandidates(allowed, true))).toEqual(['direct', 'direct+subgroups']);
    expect(tuneCandidates(allowed, false)).toEqual(allowed);
  });

  it('starts from the subgroup kernel on SwiftShader and the largest register tile on a GPU', () => {
    const allowed = configsWithin(CORE_LIMITS, true);
    expect(defaultConfig(allowed, true).name).toBe('direct+subgroups');
    expect(defaultConfig(configsWithin(CORE_LIMITS, false), true).name).toBe('direct');
    expect(defaultConfig(allowed, false).name).toBe('register-128x128-8x8-k8');
    expect(() => defaultConfig([], false)).toThrow(/no matmul configuration/);
  });

  it('launches one workgroup per block of C and keys pipelines by tile and operand layout', () => {
    const tile = { blockM: 128, blockN: 128, threadM: 8, threadN: 8, depth: 8 };
    expect(registerMatmulLaunch(tile, { ...matmul, batch: 3 })).toMatchObject({ key: 'matmul:register:128x128:8x8:8:N1N1', workgroups: [2, 2, 3] });
    // vec4 loads where the contiguous axis is whole vec4s: A along k (68), B along n (132).
    expect(registerMatmulLaunch(tile, { ...matmul, k: 68, n: 132 }).key).toBe('matmul:register:128x128:8x8:8:N4N4');
    // Transposed A is read along m (129: scalar), transposed B along k (68: vec4).
    expect(registerMatmulLaunch(tile, { ...matmul, k: 68, transposeA: true, transposeB: true }).key).toBe('matmul:register:128x128:8x8:8:T1T4');
  });

  it('copies transposed operands to row-major only for the direct vec4 kernels', () => {
    const [register, , , , tiled, direct, subgroup] = MATMUL_CONFIGS;
    const aligned = { ...matmul, k: 68, n: 132, transposeA: true };
    expect(needsRowMajor(direct!, aligned)).toBe(true);
    expect(needsRowMajor(subgroup!, aligned)).toBe(true);
    expect(needsRowMajor(direct!, matmul)).toBe(false);
    expect(needsRowMajor(register!, aligned)).toBe(false);
    expect(needsRowMajor(tiled!, aligned)).toBe(false);
    // The subgroup configuration takes the direct scalar kernel where vec4 rows do not fit.
    expect(matmulLaunchFor(subgroup!, matmul).key).toBe('matmul:direct:scalar:NN');
  });
});
