// Shared by the kernel tests: both compiled builds (rebuilt when a source is newer) and
// seeded random data. Not part of the folder's public face.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { buildWasmKernels, KERNEL_BUILDS, type KernelBuild } from '../../../scripts/build-wasm.js';
import { loadThreadedWasmKernels, loadWasmKernels, type ThreadedKernelsOptions, type WasmKernels } from './kernels.js';
import { supportsRelaxedSimd } from './module.js';

// Node 20 has relaxed SIMD behind a flag (Node 22 on by default); the flag must be set
// before the first module using it is compiled.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const SOURCES = join(import.meta.dirname, 'assembly');

/** For a beforeAll that may compile the kernels first: a few seconds a build, more when test files compile side by side. */
export const BUILD_TIMEOUT_MS = 180_000;

/** The builds every kernel test runs against. */
export const TESTED_BUILDS: readonly KernelBuild[] = ['simd', 'relaxed'];

async function isStale(path: string): Promise<boolean> {
  const built = await stat(path).catch(() => undefined);
  if (built === undefined) return true;
  const names = await readdir(SOURCES);
  const times = await Promise.all(names.map(async (name) => (await stat(join(SOURCES, name))).mtimeMs));
  return times.some((time) => time > built.mtimeMs);
}

/** The bytes of one build, compiled first when it is missing or older than its sources. */
export async function kernelBytes(build: KernelBuild): Promise<Uint8Array<ArrayBuffer>> {
  const path = KERNEL_BUILDS[build].outFile;
  if (await isStale(path)) await buildWasmKernels(build);
  return readFile(path);
}

/** A fresh instance (its own memory) of one build; throws if this Node cannot run it. */
export async function testKernels(build: KernelBuild): Promise<WasmKernels> {
  if (build === 'relaxed' && !supportsRelaxedSimd()) throw new Error('this Node cannot run relaxed SIMD');
  return loadWasmKernels(await kernelBytes(build));
}

/** The threaded builds (over an imported shared memory). */
export const THREADED_BUILDS: readonly KernelBuild[] = ['threaded', 'threaded-relaxed'];

/** One threaded build, compiled (it needs a shared memory to be instantiated). */
export async function threadedModule(build: KernelBuild): Promise<WebAssembly.Module> {
  return WebAssembly.compile(await kernelBytes(build));
}

/** Kernels of a threaded build over a fresh shared memory, with helper threads from `options.spawn`. */
export async function testThreadedKernels(build: KernelBuild, options: ThreadedKernelsOptions): Promise<WasmKernels> {
  return loadThreadedWasmKernels(await threadedModule(build), options);
}

/** Deterministic values in [lo, hi) (mulberry32), so a failure can be replayed. */
export function randomArray(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Index and values of the first element where `got` is off `want` by more than `tolerance(want)`; NaN must match NaN. */
export function firstMismatch(
  got: ArrayLike<number>, want: ArrayLike<number>, tolerance: (want: number, index: number) => number,
): string | undefined {
  if (got.length !== want.length) return `length ${got.length} instead of ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (Number.isNaN(w) ? Number.isNaN(g) : g === w || Math.abs(g - w) <= tolerance(w, i)) continue;
    return `at ${i}: got ${g}, want ${w} (tolerance ${tolerance(w, i)})`;
  }
  return undefined;
}
