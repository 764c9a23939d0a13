import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Shape,
  type Tensor,
  TensorCore,
  checkMlpGradients,
  createCpuBackend,
  createRandom,
  isOutOfMemoryError,
  isTensorTooLargeError,
  randomValues,
  sizeOf,
  toleranceRatio,
} from '../../../shared/tensor/index.js';
import { WasmMemoryError, type WasmKernels } from '../wasm/index.js';
import { BUILD_TIMEOUT_MS, TESTED_BUILDS, testKernels } from '../wasm/test-support.js';
import { type WasmBackend, createWasmBackend } from './backend.js';

// The WASM backend under Node against the CPU reference, op by op on awkward shapes (the same
// checks run in Chromium in e2e/tensor.spec.ts). Tolerance per element, as there:
// |wasm - cpu| <= 1e-5·√t + 1e-4·|cpu|, t being how many products an output sums.

type Op = (t: TensorCore, inputs: Tensor[]) => Tensor | Record<string, Tensor>;

describe.each(TESTED_BUILDS)('the WASM backend (%s build) against the CPU reference', (build) => {
  let backend: WasmBackend;
  let wasm: TensorCore;
  const cpu = new TensorCore(createCpuBackend());
  const random = createRandom(99);

  beforeAll(async () => {
    backend = createWasmBackend(await testKernels(build));
    wasm = new TensorCore(backend);
  }, BUILD_TIMEOUT_MS);

  async function expectSame(op: Op, shapes: Shape[], terms = 1, low = -1, high = 1): Promise<void> {
    const values = shapes.map((shape) => randomValues(random, sizeOf(shape), low, high));
    const run = async (t: TensorCore): Promise<Record<string, { shape: Shape; values: Float32Array }>> => {
      const inputs = values.map((v, i) => t.tensor(v, shapes[i]));
      const result = t.scope(() => op(t, inputs));
      const named = 'storage' in result ? { out: result as Tensor } : result;
      const outputs: Record<string, { shape: Shape; values: Float32Array }> = {};
      for (const [name, tensor] of Object.entries(named)) outputs[name] = { shape: tensor.shape, values: await tensor.data() };
      [...inputs, ...Object.values(named)].forEach((tensor) => tensor.dispose());
      return outputs;
    };
    const want = await run(cpu);
    const got = await run(wasm);
    const label = `${op.toString()} on ${JSON.stringify(shapes)}`;
    for (const [name, expected] of Object.entries(want)) {
      expect(got[name]?.shape, `${label}: shape of ${name}`).toEqual(expected.shape);
      const ratio = toleranceRatio(got[name]!.values, expected.values, { absolute: 1e-5 * Math.sqrt(terms), relative: 1e-4 });
      expect(ratio, `${label}: ${name}`).toBeLessThanOrEqual(1);
    }
    expect(backend.stats().liveStorages, `${label} leaves nothing behind`).toBe(0);
  }

  it('multiplies 2-D, batched, shared-operand and transposed matrices', async () => {
    const cases: [Shape, Shape, { transposeA?: boolean; transposeB?: boolean }?][] = [
      [[1, 1], [1, 1]], [[17, 33], [33, 65]], [[1, 1024], [1024, 1]], [[3, 17, 33], [3, 33, 5]],
      [[3, 17, 33], [33, 5]], [[17, 33], [3, 33, 5]], [[2, 3, 5, 7], [2, 3, 7, 4]],
      [[33, 17], [33, 65], { transposeA: true }], [[17, 33], [65, 33], { transposeB: true }],
      [[3, 33, 17], [3, 5, 33], { transposeA: true, transposeB: true }], [[3, 36, 20], [40, 36], { transposeA: true, transposeB: true }],
      [[4, 0], [0, 3]], [[0, 5], [5, 2]],
    ];
    for (const [aShape, bShape, options] of cases) {
      const k = options?.transposeB === true ? bShape.at(-1)! : bShape.at(-2)!;
      await expectSame((t, [a, b]) => t.matmul(a!, b!, options), [aShape, bShape], Math.max(k, 1));
    }
  });

  it('broadcasts the binary ops and runs reluBackward', async () => {
    const pairs: [Shape, Shape][] = [[[4, 1, 3], [2, 1]], [[17, 33], [17, 33]], [[17, 33], [33]], [[1, 64], [64, 1]], [[], [5]], [[2, 1, 3, 1, 2], [3, 5, 1]], [[0, 3], [3]]];
    for (const pair of pairs) {
      await expectSame((t, [a, b]) => t.add(a!, b!), pair);
      await expectSame((t, [a, b]) => t.sub(a!, b!), pair);
      await expectSame((t, [a, b]) => t.mul(a!, b!), pair);
      await expectSame((t, [a, b]) => t.div(a!, t.add(t.mul(b!, b!), 0.5)), pair);
    }
    await expectSame((t, [x, dy]) => t.reluBackward(x!, dy!), [[17, 33], [17, 33]]);
  });

  it('applies the unary ops', async () => {
    for (const op of ['relu', 'gelu', 'exp', 'tanh', 'sigmoid', 'neg'] as const) await expectSame((t, [x]) => t[op](x!), [[17, 33]], 1, -4, 4);
    await expectSame((t, [x]) => t.log(x!), [[3, 5, 7]], 1, 0.01, 5);
  });

  it('reduces along every axis and over everything', async () => {
    for (const op of ['sum', 'mean', 'max'] as const) {
      for (const [shape, axis] of [[[17, 33], 0], [[17, 33], 1], [[3, 17, 33], 1], [[600, 3], 0], [[17, 33], undefined]] as const) {
        const terms = axis === undefined ? sizeOf(shape) : shape[axis];
        await expectSame((t, [x]) => t[op](x!, axis, { keepDims: true }), [shape], op === 'sum' ? terms : 1);
      }
    }
  });

  it('takes softmax along the last axis and along others', async () => {
    await expectSame((t, [x]) => t.softmax(x!), [[17, 33]], 1, -5, 5);
    await expectSame((t, [x]) => t.softmax(x!, 1), [[4, 5, 6]], 1, -5, 5);
    await expectSame((t, [x]) => t.softmax(x!, 0), [[17, 33]], 1, -5, 5);
    await expectSame((t, [x]) => t.softmax(x!, 0), [[1, 7]], 1, -5, 5);
  });

  it('permutes, slices and concatenates', async () => {
    await expectSame((t, [x]) => t.transpose(x!), [[17, 33]]);
    await expectSame((t, [x]) => t.transpose(x!, [2, 0, 1]), [[3, 17, 33]]);
    await expectSame((t, [x]) => t.transpose(x!, [0, 2, 1]), [[3, 17, 33]]);
    await expectSame((t, [x]) => t.transpose(x!, [1, 0, 2]), [[3, 1, 33]]);
    await expectSame((t, [x]) => t.transpose(x!, [0, 1]), [[3, 4]]);
    await expectSame((t, [x]) => t.slice(x!, [2, 5], [10, -1]), [[17, 33]]);
    await expectSame((t, [x]) => t.slice(x!, [1, 0, 32], [2, 17, 1]), [[3, 17, 33]]);
    await expectSame((t, [x]) => t.slice(x!, [0, 0], [4, 3]), [[17, 33]]);
    await expectSame((t, [x]) => t.slice(x!, [4, 0], [4, -1]), [[17, 33]]);
    await expectSame((t, [x]) => t.slice(x!, [3, 0], [0, -1]), [[17, 33]]);
    await expectSame((t, [a, b]) => t.concat([a!, b!], 1), [[17, 33], [17, 5]]);
    await expectSame((t, [a, b, c]) => t.concat([a!, b!, c!], 0), [[17, 33], [2, 33], [1, 33]]);
  });

  it('computes softmax cross-entropy and the MLP gradients', async () => {
    await expectSame((t, [logits]) => ({ ...t.softmaxCrossEntropy(logits!, [3, 0, 9, 1, 2]) }), [[5, 10]], 5, -3, 3);
    const errors = await checkMlpGradients(wasm, 7);
    for (const [name, ratio] of Object.entries(errors)) expect(ratio, name).toBeLessThanOrEqual(1);
  });

  it('keeps -0, NaN and infinities through the gathers', async () => {
    const x = wasm.tensor([-0, Number.NaN, Infinity, -Infinity, 1, -1], [2, 3]);
    const moved = [wasm.transpose(x), wasm.slice(x, [1, 0], [1, 3]), wasm.transpose(wasm.reshape(x, [1, 2, 3]), [2, 0, 1])];
    expect(Array.from(await moved[0]!.data())).toEqual([-0, -Infinity, Number.NaN, 1, Infinity, -1]);
    expect(Array.from(await moved[1]!.data())).toEqual([-Infinity, 1, -1]);
    expect(Object.is((await moved[2]!.data())[0], -0)).toBe(true);
  });
});

describe('the WASM backend out of memory', () => {
  it('turns memory that cannot grow into OutOfMemoryError and keeps working', async () => {
    const kernels = await testKernels('simd');
    const budget = limitedKernels(kernels, 1 << 20);
    const t = new TensorCore(createWasmBackend(budget));
    const kept = t.fill([1 << 17], 1);
    let caught: unknown;
    try {
      t.matmul(t.fill([512, 1], 1), t.fill([1, 1024], 1));
    } catch (error) {
      caught = error;
    }
    expect(isOutOfMemoryError(caught), String(caught)).toBe(true);
    expect((caught as Error).message).toMatch(/^wasm: out of WebAssembly memory/);
    expect((caught as Error).cause).toBeInstanceOf(WasmMemoryError);
    expect(Array.from(await t.sum(kept).data())).toEqual([1 << 17]);
  });

  it('refuses a tensor over 2^28 elements before allocating anything', async () => {
    const backend = createWasmBackend(await testKernels('simd'));
    const t = new TensorCore(backend);
    const [a, b] = [t.zeros([32768, 1]), t.zeros([1, 32768])];
    const before = backend.stats();
    let caught: unknown;
    try {
      t.matmul(a, b);
    } catch (error) {
      caught = error;
    }
    expect(isTensorTooLargeError(caught)).toBe(true);
    expect((caught as Error).message).toBe('matmul: [32768,32768] has 1073741824 elements, more than the 268435456 one wasm buffer holds');
    expect(backend.stats()).toEqual(before);
  });
});

/** The real kernels with a smaller memory: `alloc` beyond `bytes` throws what a full memory throws. A stand-in beside the real 4 GiB check in e2e. */
function limitedKernels(kernels: WasmKernels, bytes: number): WasmKernels {
  return new Proxy(kernels, {
    get(target, key, receiver) {
      if (key !== 'alloc') {
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return (length: number) => {
        if (target.memoryUsage().bytesInUse + length * 4 > bytes) throw new WasmMemoryError(`cannot grow WebAssembly memory to ${length * 4} more bytes`);
        return target.alloc(length);
      };
    },
  });
}
