import { beforeAll, describe, expect, it } from 'vitest';
import { isWasmKernelError, isWasmLoadError } from './errors.js';
import { loadWasmKernels, type WasmKernels } from './kernels.js';
import { supportsRelaxedSimd } from './module.js';
import { BUILD_TIMEOUT_MS, kernelBytes, randomArray, testKernels } from './test-support.js';

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

describe('WasmKernels resident buffers', () => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await testKernels('simd');
  }, BUILD_TIMEOUT_MS);

  it('writes, reads back and frees, and a read is a copy', () => {
    const buffer = kernels.alloc(5);
    kernels.write(buffer, Float32Array.of(1, 2, 3, 4, 5));
    kernels.write(buffer, Float32Array.of(9, 8), 3);
    const values = kernels.read(buffer);
    expect(Array.from(values)).toEqual([1, 2, 3, 9, 8]);
    values[0] = 100;
    expect(kernels.read(buffer)[0]).toBe(1);
    kernels.free(buffer);
  });

  it('chains ops without copying out: relu(a · b + bias), then softmax', () => {
    const [a, b, bias] = [randomArray(8 * 16, 1), randomArray(16 * 4, 2), randomArray(4, 3)];
    const [ra, rb, rbias, product, logits] = [kernels.alloc(128), kernels.alloc(64), kernels.alloc(4), kernels.alloc(32), kernels.alloc(32)];
    kernels.write(ra, a);
    kernels.write(rb, b);
    kernels.write(rbias, bias);
    kernels.matmul(ra, rb, product, { m: 8, k: 16, n: 4 });
    kernels.binaryBroadcast('add', product, [8, 4], rbias, [4], logits);
    kernels.unary('relu', logits, logits);
    kernels.softmax(logits, logits, { rows: 8, cols: 4 });
    const viaArrays = kernels.arrays.softmax(
      kernels.arrays.unary('relu', kernels.arrays.binaryBroadcast('add', kernels.arrays.matmul(a, b, { m: 8, k: 16, n: 4 }), [8, 4], bias, [4])),
      { rows: 8, cols: 4 },
    );
    expect(kernels.read(logits)).toEqual(viaArrays);
    [ra, rb, rbias, product, logits].forEach((buffer) => kernels.free(buffer));
  });

  it('keeps buffers intact while the memory grows under them', () => {
    const small = kernels.alloc(3);
    kernels.write(small, Float32Array.of(7, 8, 9));
    const before = kernels.memoryUsage().memoryBytes;
    const big = kernels.alloc(16 * 1024 * 1024);
    expect(kernels.memoryUsage().memoryBytes).toBeGreaterThan(before);
    expect(Array.from(kernels.read(small))).toEqual([7, 8, 9]);
    kernels.free(big);
    kernels.free(small);
  });

  it('leaves nothing allocated after array calls, even failing ones', () => {
    kernels.arrays.matmul(randomArray(6, 1), randomArray(6, 2), { m: 2, k: 3, n: 2 });
    const before = kernels.memoryUsage().bytesInUse;
    kernels.arrays.matmul(randomArray(300 * 300, 1), randomArray(300 * 300, 2), { m: 300, k: 300, n: 300 });
    expect(() => kernels.arrays.matmul(randomArray(5, 1), randomArray(6, 2), { m: 2, k: 3, n: 2 })).toThrow(/matmul a has 5 values where 6/);
    expect(kernels.memoryUsage().bytesInUse).toBe(before);
  });

  it('refuses freed and foreign buffers, wrong lengths and an output that is an input', async () => {
    const other = await testKernels('simd');
    const freed = kernels.alloc(4);
    kernels.free(freed);
    const [a, b, out] = [kernels.alloc(4), kernels.alloc(4), kernels.alloc(3)];
    const failures = [
      () => kernels.read(freed),
      () => kernels.free(freed),
      () => kernels.binary('add', a, other.alloc(4), b),
      () => kernels.binary('add', a, b, out),
      () => kernels.matmul(a, b, a, { m: 2, k: 2, n: 2 }),
      () => kernels.transpose(a, a, { rows: 2, cols: 2 }),
      () => kernels.write(out, new Float32Array(4)),
      () => kernels.write(out, new Float32Array(1), 3),
      () => kernels.alloc(-1),
      () => kernels.matmul(a, b, out, { m: 1.5, k: 2, n: 2 }),
    ];
    for (const failure of failures) expect(isWasmKernelError(thrownBy(failure)), String(failure)).toBe(true);
    [a, b, out].forEach((buffer) => kernels.free(buffer));
  });
});

describe('loadWasmKernels', () => {
  it('takes a compiled WebAssembly.Module as well as bytes', async () => {
    const kernels = await loadWasmKernels(new WebAssembly.Module(await kernelBytes('simd')));
    expect(Array.from(kernels.arrays.binary('mul', Float32Array.of(2, 3), Float32Array.of(4, 5)))).toEqual([8, 15]);
  });

  it('throws WasmLoadError for bytes that are not WebAssembly and for a module without the kernels', async () => {
    const garbage = await rejectionOf(loadWasmKernels(Uint8Array.of(1, 2, 3)));
    expect(isWasmLoadError(garbage)).toBe(true);
    expect((garbage as Error).cause).toBeInstanceOf(WebAssembly.CompileError);
    const empty = await rejectionOf(loadWasmKernels(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)));
    expect(isWasmLoadError(empty)).toBe(true);
    expect((empty as Error).message).toMatch(/lack exports: memory, heapBase/);
  });

  it('says whether relaxed SIMD runs here (on in these tests, which set the V8 flag)', () => {
    expect(supportsRelaxedSimd()).toBe(true);
  });
});
