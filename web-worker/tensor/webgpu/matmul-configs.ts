/**
 * The WebGPU matmul configurations an adapter may run: the register-tiled kernel in several
 * shapes (`kernels/matmul-register.ts`), the older 64x64 workgroup-tiled one, and the direct
 * kernels made for CPU-emulated adapters. Which is fastest depends on the adapter, so
 * `tuneMatmul` times those the adapter's limits allow and keeps the winner.
 */
import type { MatmulParams } from '../../../shared/tensor/index.js';
import type { KernelLaunch } from './kernels/launch.js';
import { directMatmulLaunch, directVec4Applies } from './kernels/matmul-direct.js';
import { type RegisterTile, registerMatmulLaunch, registerTileBytes, registerTileWorkgroup } from './kernels/matmul-register.js';
import { SUBGROUP_THREADS_X, subgroupMatmulLaunch } from './kernels/matmul-subgroup.js';
import { tiledMatmulLaunch } from './kernels/matmul-tiled.js';

/** One way to run matmul, by name (`register-128x128-8x8-k8`, `direct+subgroups`, ...). */
export interface MatmulConfig {
  readonly name: string;
  readonly kernel: 'register' | 'tiled' | 'direct' | 'subgroup';
  /** The register tile's shape (`register` configs only). */
  readonly tile?: RegisterTile;
  /** Workgroup memory it declares, in bytes. */
  readonly workgroupBytes: number;
  readonly workgroupSize: readonly [number, number];
}

/** The limits a configuration must fit (a subset of `GPUSupportedLimits`). */
export interface MatmulLimits {
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number;
}

function register(blockM: number, blockN: number, threadM: number, threadN: number, depth: number): MatmulConfig {
  const tile = { blockM, blockN, threadM, threadN, depth };
  return {
    name: `register-${blockM}x${blockN}-${threadM}x${threadN}-k${depth}`,
    kernel: 'register',
    tile,
    workgroupBytes: registerTileBytes(tile),
    workgroupSize: registerTileWorkgroup(tile),
  };
}

/**
 * Every configuration, those most likely to win on a real GPU first (the tune times them in
 * this order, and stops when its time is up). The register tiles stage slices 8 deep: 16 deep
 * took SwiftShader minutes to compile and lost its device, so it could not be proven here.
 */
export const MATMUL_CONFIGS: readonly MatmulConfig[] = [
  register(128, 128, 8, 8, 8),
  register(128, 64, 8, 4, 8),
  register(64, 128, 4, 8, 8),
  register(64, 64, 4, 4, 8),
  { name: 'tiled-64x64', kernel: 'tiled', workgroupBytes: 2 * 16 * 64 * 4, workgroupSize: [16, 16] },
  { name: 'direct', kernel: 'direct', workgroupBytes: 0, workgroupSize: [8, 8] },
  { name: 'direct+subgroups', kernel: 'subgroup', workgroupBytes: 0, workgroupSize: [SUBGROUP_THREADS_X, 8] },
];

/**
 * The configurations these limits allow, in `MATMUL_CONFIGS` order; `direct+subgroups` only
 * where the device's subgroups suit it (`probeSubgroupLayout`).
 * @example configsWithin({ maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256 }, false).length // 6
 */
export function configsWithin(limits: MatmulLimits, subgroups: boolean): MatmulConfig[] {
  return MATMUL_CONFIGS.filter(({ kernel, workgroupBytes, workgroupSize: [x, y] }) =>
    (kernel !== 'subgroup' || subgroups) &&
    workgroupBytes <= limits.maxComputeWorkgroupStorageSize &&
    x * y <= limits.maxComputeInvocationsPerWorkgroup &&
    x <= limits.maxComputeWorkgroupSizeX &&
    y <= limits.maxComputeWorkgroupSizeY);
}

/**
 * The configurations a tune times. On a CPU-emulated adapter only the direct kernels: workgroup
 * memory does not pay there (`matmul-direct.ts`), and SwiftShader takes seconds to compile each
 * register tile, more than the whole tune may take.
 * @example tuneCandidates(configsWithin(limits, true), true).map(({ name }) => name) // ['direct', 'direct+subgroups']
 */
export function tuneCandidates(allowed: readonly MatmulConfig[], cpuEmulated: boolean): MatmulConfig[] {
  return allowed.filter(({ kernel }) => !cpuEmulated || kernel === 'direct' || kernel === 'subgroup');
}

/**
 * What runs before any tune: the subgroup (else direct) kernel on a CPU-emulated adapter, where
 * workgroup memory does not pay; the largest register tile allowed on a GPU.
 * @example defaultConfig(configsWithin(limits, true), true).name // 'direct+subgroups'
 */
export function defaultConfig(allowed: readonly MatmulConfig[], cpuEmulated: boolean): MatmulConfig {
  const named = (name: string): MatmulConfig | undefined => allowed.find((config) => config.name === name);
  const found = cpuEmulated ? (named('direct+subgroups') ?? named('direct')) : allowed.find((config) => config.kernel === 'register');
  const config = found ?? named('tiled-64x64') ?? named('direct');
  if (config === undefined) throw new RangeError('webgpu: no matmul configuration fits this adapter');
  return config;
}

/**
 * The launch of one product under `config`. The direct kernels' vec4 variants read row-major
 * operands with whole vec4 rows (`needsRowMajor` says when the backend must copy a transposed
 * operand first); other products take the direct kernel's scalar variant. The register and
 * tiled kernels read any layout and size themselves.
 */
export function matmulLaunchFor(config: MatmulConfig, params: MatmulParams): KernelLaunch {
  switch (config.kernel) {
    case 'register':
      return registerMatmulLaunch(config.tile!, params);
    case 'tiled':
      return tiledMatmulLaunch(params);
    case 'subgroup':
      return directVec4Applies(params) ? subgroupMatmulLaunch(params) : directMatmulLaunch(params);
    case 'direct':
      return directMatmulLaunch(params);
  }
}

/**
 * Whether `config` wants transposed operands copied to row-major first: the direct kernels'
 * vec4 variants do when k and n are whole vec4s (the copy costs O(k·n), the product O(m·k·n)).
 */
export function needsRowMajor(config: MatmulConfig, params: MatmulParams): boolean {
  return (config.kernel === 'direct' || config.kernel === 'subgroup') && params.k % 4 === 0 && params.n % 4 === 0;
}
