/**
 * Compiles the AssemblyScript kernels (web-worker/tensor/wasm/assembly) into four modules:
 * web-worker/tensor/wasm/kernels.wasm (WebAssembly SIMD128, runs wherever SIMD does),
 * kernels-relaxed.wasm (adds relaxed SIMD for a fused multiply-add matmul), and the same two
 * over an imported shared memory (kernels-threaded.wasm, kernels-threaded-relaxed.wasm), which
 * several threads instantiate over one `WebAssembly.Memory` to split a kernel's work. Run before
 * `vite build`:
 *   tsx scripts/build-wasm.ts [--text]   (--text also writes the .wat text beside each)
 */
import { rename } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import asc from 'assemblyscript/asc';

const root = resolve(import.meta.dirname, '..');
/** The module's entry file. */
export const KERNELS_ENTRY = resolve(root, 'web-worker/tensor/wasm/assembly/index.ts');

const wasmFile = (name: string): string => resolve(root, 'web-worker/tensor/wasm', name);

/**
 * The builds: what they are called, which WebAssembly features they use, and whether the memory
 * is the host's shared one (imported as `env.memory`, up to 4 GiB) rather than the module's own.
 */
export const KERNEL_BUILDS = {
  simd: { outFile: wasmFile('kernels.wasm'), features: ['simd'], sharedMemory: false },
  relaxed: { outFile: wasmFile('kernels-relaxed.wasm'), features: ['simd', 'relaxed-simd'], sharedMemory: false },
  threaded: { outFile: wasmFile('kernels-threaded.wasm'), features: ['simd', 'threads'], sharedMemory: true },
  'threaded-relaxed': { outFile: wasmFile('kernels-threaded-relaxed.wasm'), features: ['simd', 'relaxed-simd', 'threads'], sharedMemory: true },
} as const;

/** Most pages (64 KiB) a shared memory may grow to: all that 32-bit addresses reach. */
export const SHARED_MEMORY_MAX_PAGES = 65536;

/** Which build of the kernels. */
export type KernelBuild = keyof typeof KERNEL_BUILDS;

/** Options for {@link buildWasmKernels}. */
export interface BuildWasmOptions {
  /** Where to write the module. @default KERNEL_BUILDS[build].outFile */
  outFile?: string;
  /** Also write the text format here. */
  textFile?: string;
}

/**
 * Compiles one build with speed-first optimisation, the stub runtime (the module allocates
 * nothing itself; the host owns the heap) and no assertions. Writes to a temporary name and
 * renames, so a reader never sees half a file. Returns the path written.
 * @example await buildWasmKernels('simd', { outFile: '/tmp/kernels.wasm' })
 */
export async function buildWasmKernels(build: KernelBuild, options: BuildWasmOptions = {}): Promise<string> {
  const outFile = options.outFile ?? KERNEL_BUILDS[build].outFile;
  const partial = `${outFile}.${process.pid}.partial`;
  const args = [
    KERNELS_ENTRY, '--outFile', partial, '-O3', '--noAssert', '--runtime', 'stub',
    ...KERNEL_BUILDS[build].features.flatMap((feature) => ['--enable', feature]),
    ...(KERNEL_BUILDS[build].sharedMemory ? ['--importMemory', '--sharedMemory', '--maximumMemory', String(SHARED_MEMORY_MAX_PAGES)] : []),
    ...(options.textFile === undefined ? [] : ['--textFile', options.textFile]),
  ];
  const stderr: string[] = [];
  const result = await asc.main(args, {
    stdout: { write: (text: string | Uint8Array) => void text },
    stderr: { write: (text: string | Uint8Array) => void stderr.push(String(text)) },
  });
  if (result.error !== null) {
    throw new Error(`asc could not compile ${KERNELS_ENTRY} (${build}):\n${stderr.join('')}`, { cause: result.error });
  }
  await rename(partial, outFile);
  return outFile;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const withText = process.argv.includes('--text');
  for (const build of Object.keys(KERNEL_BUILDS) as KernelBuild[]) {
    const outFile = KERNEL_BUILDS[build].outFile;
    const written = await buildWasmKernels(build, withText ? { textFile: outFile.replace(/\.wasm$/, '.wat') } : {});
    console.log(`built ${written}`);
  }
}
