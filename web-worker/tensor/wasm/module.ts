import { WasmLoadError } from './errors.js';
import type { KernelCall } from './split.js';

/** Where the kernels' module comes from: a URL to fetch, its bytes, or the compiled module. */
export type WasmKernelSource = string | URL | BufferSource | WebAssembly.Module;

/** The module's exports (assembly/index.ts): byte addresses and element counts, all i32. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  matmulWorkspaceBytes(): number;
  matmulBatched(
    a: number, b: number, c: number, batch: number, m: number, k: number, n: number,
    rsa: number, csa: number, rsb: number, csb: number,
    batchStrideA: number, batchStrideB: number, workspace: number,
  ): void;
  binary(op: number, a: number, b: number, out: number, n: number): void;
  binaryStrided(
    op: number, a: number, b: number, out: number, rank: number,
    shape: number, stridesA: number, stridesB: number, counters: number,
  ): void;
  unary(op: number, x: number, out: number, n: number): void;
  reduce(op: number, x: number, out: number, outer: number, axis: number, inner: number): void;
  reduceColumns(op: number, x: number, out: number, outer: number, axis: number, inner: number, width: number): void;
  softmax(x: number, out: number, rows: number, cols: number): void;
  transpose(x: number, out: number, rows: number, cols: number): void;
}

/**
 * Runs one planned call (`split.ts`) on these exports: one thread's part of an op.
 * @example callKernel(exports, { kernel: 'unary', args: [0, x, out, 1024] });
 */
export function callKernel(exports: KernelExports, call: KernelCall): void {
  Reflect.apply(exports[call.kernel].bind(exports), undefined, call.args);
}

/**
 * A new shared memory for the threaded builds, which import one (`env.memory`) declared up to
 * 65536 pages (4 GiB, scripts/build-wasm.ts): its maximum must not be above that, or the module
 * refuses it. It starts small; the host's heap grows it.
 * @example const exports = await instantiateKernelModule(threadedModule, createSharedMemory());
 */
export function createSharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
}

const FUNCTIONS = [
  'heapBase', 'matmulWorkspaceBytes', 'matmulBatched', 'binary', 'binaryStrided',
  'unary', 'reduce', 'reduceColumns', 'softmax', 'transpose',
] as const;

/**
 * Compiles (streaming from a URL when it can) and instantiates the module, checking its exports.
 * A threaded build is given the shared `memory` it imports (`env.memory`).
 */
export async function instantiateKernelModule(source: WasmKernelSource, memory?: WebAssembly.Memory): Promise<KernelExports> {
  let instance: WebAssembly.Instance;
  try {
    instance = await instantiate(source, memory === undefined ? {} : { env: { memory } });
  } catch (error) {
    if (error instanceof WasmLoadError) throw error;
    throw new WasmLoadError(`cannot instantiate the WebAssembly kernels: ${String(error)}`, { cause: error });
  }
  return checkExports(instance.exports);
}

async function instantiate(source: WasmKernelSource, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  if (source instanceof WebAssembly.Module) return WebAssembly.instantiate(source, imports);
  if (typeof source !== 'string' && !(source instanceof URL)) {
    return (await WebAssembly.instantiate(source, imports)).instance;
  }
  const response = await fetch(source);
  if (!response.ok) throw new WasmLoadError(`fetching ${String(source)} answered ${response.status}`);
  // Streaming compilation insists on the right Content-Type; other servers get the slow path.
  if (response.headers.get('content-type')?.startsWith('application/wasm') === true) {
    return (await WebAssembly.instantiateStreaming(response, imports)).instance;
  }
  return (await WebAssembly.instantiate(await response.arrayBuffer(), imports)).instance;
}

function checkExports(exports: WebAssembly.Exports): KernelExports {
  const missing = FUNCTIONS.filter((name) => typeof exports[name] !== 'function');
  if (!(exports.memory instanceof WebAssembly.Memory)) missing.unshift('memory' as never);
  if (missing.length > 0) {
    throw new WasmLoadError(`the WebAssembly kernels lack exports: ${missing.join(', ')}`);
  }
  return exports as unknown as KernelExports;
}

// () -> v128: f32x4.relaxed_madd of three zero vectors. Validates only where relaxed SIMD is on.
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const RELAXED_MADD_BODY = [0x00, ...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02, 0x0b];
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, RELAXED_MADD_BODY.length + 2, 0x01, RELAXED_MADD_BODY.length, ...RELAXED_MADD_BODY,
]);

/**
 * Whether this engine runs relaxed SIMD (Chrome 114+; Node 22+, or Node 20 with
 * `--experimental-wasm-relaxed-simd`), which the faster `kernels-relaxed.wasm` build needs.
 * @example const url = supportsRelaxedSimd() ? relaxedUrl : simdUrl;
 */
export function supportsRelaxedSimd(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}
