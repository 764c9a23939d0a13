import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WasmKernelError } from '../errors.js';
import { LinearHeap } from '../heap.js';
import type { WasmKernels } from '../kernels.js';
import { createSharedMemory, instantiateKernelModule, type KernelExports } from '../module.js';
import { UNARY_CODES } from '../ops.js';
import type { KernelCall } from '../split.js';
import { BUILD_TIMEOUT_MS, randomArray, testKernels, testThreadedKernels, threadedModule } from '../test-support.js';
import { KernelPool } from './pool.js';
import { spawnNodeKernelThread } from './test-support.js';

// Real threads: Node worker threads run the same code as a browser's kernel threads
// (serve.ts), over one shared WebAssembly.Memory.

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 60_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 20));
  }
}

describe('KernelPool', () => {
  let pool: KernelPool;
  let exports: KernelExports;
  let heap: LinearHeap;
  beforeAll(async () => {
    const module = await threadedModule('threaded');
    const memory = createSharedMemory();
    exports = await instantiateKernelModule(module, memory);
    heap = new LinearHeap(memory, exports.heapBase());
    pool = new KernelPool({ module, memory, helpers: 2, spawn: spawnNodeKernelThread });
    pool.grow(2);
    await until(() => pool.readySlots().length === 2, 'two kernel threads');
  }, BUILD_TIMEOUT_MS);
  afterAll(() => pool.close());

  it('runs the first call here and the others on its threads, over the same memory', () => {
    const n = 4096;
    const x = heap.allocate(n * 4);
    const out = heap.allocate(n * 4);
    new Float32Array(exports.memory.buffer, x, n).set(randomArray(n, 5));
    const neg = (start: number, count: number): KernelCall => ({ kernel: 'unary', args: [UNARY_CODES.neg, x + 4 * start, out + 4 * start, count] });
    const ranLocally: KernelCall[] = [];
    pool.run([neg(0, 1024), neg(1024, 1024), neg(2048, 2048)], (call) => ranLocally.push(call));
    const input = new Float32Array(exports.memory.buffer, x, n);
    const result = new Float32Array(exports.memory.buffer, out, n);
    // Only the first part ran here (and was only recorded): the threads wrote the rest.
    expect(ranLocally).toEqual([neg(0, 1024)]);
    for (let i = 1024; i < n; i++) expect(result[i]).toBe(-input[i]!);
  });

  it('throws WasmKernelError when a thread\'s part fails, and keeps working', () => {
    const beyond = exports.memory.buffer.byteLength + 4096;
    const bad: KernelCall = { kernel: 'unary', args: [UNARY_CODES.neg, beyond, beyond, 1024] };
    expect(() => pool.run([bad, bad], () => undefined)).toThrow(WasmKernelError);
    expect(pool.readySlots()).toHaveLength(2);
    const x = heap.allocate(64);
    pool.run([{ kernel: 'unary', args: [UNARY_CODES.relu, x, x, 4] }, { kernel: 'unary', args: [UNARY_CODES.relu, x + 16, x + 16, 4] }], () => undefined);
  });

  it('says why a thread could not start, and leaves it out', async () => {
    // An empty module: it instantiates, but has none of the kernels.
    const empty = new WebAssembly.Module(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
    const failing = new KernelPool({ module: empty, memory: createSharedMemory(), helpers: 1, spawn: spawnNodeKernelThread });
    failing.grow(1);
    await until(() => failing.failures.length > 0, 'the failure');
    expect(failing.failures[0]).toMatch(/^kernel thread 0: .*lack exports/);
    expect(failing.readySlots()).toEqual([]);
    failing.close();
  });
});

describe('threaded kernels on three threads', () => {
  let threaded: WasmKernels;
  let single: WasmKernels;
  beforeAll(async () => {
    threaded = await testThreadedKernels('threaded-relaxed', { maxThreads: 3, spawn: spawnNodeKernelThread });
    single = await testKernels('relaxed');
    threaded.threads = 8;
    await until(() => threaded.threadsReady === 3, 'three threads');
  }, BUILD_TIMEOUT_MS);
  afterAll(() => threaded.close());

  it('start helpers only when asked, up to maxThreads', () => {
    expect(threaded.maxThreads).toBe(3);
    expect(threaded.threads).toBe(3);
  });

  it('compute a 257×131 · 131×199 matmul, a batched one and a 512³ one as one thread does, bit for bit', () => {
    for (const dims of [{ m: 257, k: 131, n: 199 }, { m: 128, k: 96, n: 110, batch: 2, transposeB: true }, { m: 512, k: 512, n: 512 }]) {
      const batch = dims.batch ?? 1;
      const a = randomArray(batch * dims.m * dims.k, dims.m);
      const b = randomArray(batch * dims.k * dims.n, dims.n);
      expect(threaded.arrays.matmul(a, b, dims)).toEqual(single.arrays.matmul(a, b, dims));
    }
  });

  it('compute elementwise ops, softmax and reductions as one thread does', () => {
    const [rows, cols] = [600, 1025];
    const x = randomArray(rows * cols, 9, -4, 4);
    const y = randomArray(rows * cols, 10, 0.5, 3);
    expect(threaded.arrays.unary('gelu', x)).toEqual(single.arrays.unary('gelu', x));
    expect(threaded.arrays.binary('div', x, y)).toEqual(single.arrays.binary('div', x, y));
    expect(threaded.arrays.softmax(x, { rows, cols })).toEqual(single.arrays.softmax(x, { rows, cols }));
    expect(threaded.arrays.reduce('sum', x, { outer: 1, axisLength: rows, inner: cols })).toEqual(single.arrays.reduce('sum', x, { outer: 1, axisLength: rows, inner: cols }));
    expect(threaded.arrays.reduce('max', x, { outer: rows, axisLength: cols, inner: 1 })).toEqual(single.arrays.reduce('max', x, { outer: rows, axisLength: cols, inner: 1 }));
  });

  it('go back to one thread when closed, still computing', () => {
    threaded.close();
    expect(threaded.threadsReady).toBe(1);
    const a = randomArray(256 * 256, 1);
    expect(threaded.arrays.matmul(a, a, { m: 256, k: 256, n: 256 })).toEqual(single.arrays.matmul(a, a, { m: 256, k: 256, n: 256 }));
  });
});
