import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Page, expect, test } from '@playwright/test';
import { createRandom, randomValues, sizeOf, toleranceRatio } from '../shared/tensor/index.js';
import type { LabBackend, LabOp, LabOpOptions, LabOutcome, LabTensor, TensorLab } from '../web-worker/tensor/index.js';
import { MATMUL_CONFIGS } from '../web-worker/tensor/webgpu/matmul-configs.js';
import { type StaticServer, startStaticServer } from './static-server.js';

// The tensor core in real headless Chromium: every op on the WebGPU backend (SwiftShader here)
// and on the WASM backend against the CPU reference, on random data and awkward shapes, through
// the lab page (`npm run build` first). Tolerance, per element: |backend - cpu| <= 1e-5·√t +
// 1e-4·|cpu|, t being how many products an output sums (1 for all but matmul and sum); NaN must
// match NaN.

declare const window: { tensorLab: TensorLab };

const LAB_PAGE = resolve(import.meta.dirname, '../dist/web/web-worker/tensor/lab.html');

test.describe.configure({ mode: 'serial' });

let server: StaticServer;
let page: Page;

test.beforeAll(async ({ browser }) => {
  if (!existsSync(LAB_PAGE)) throw new Error(`${LAB_PAGE} is missing: run \`npm run build\` first`);
  server = await startStaticServer();
  page = await browser.newPage();
  await page.goto(`${server.url}/web-worker/tensor/lab.html`);
  await page.waitForFunction(() => document.body.dataset['ready'] === 'true');
});

test.afterAll(async () => {
  await page.close();
  await server.close();
});

const random = createRandom(2024);

function randomTensor(shape: number[], low = -1, high = 1): LabTensor {
  return { shape, values: Array.from(randomValues(random, sizeOf(shape), low, high)) };
}

async function runOn(backend: LabBackend, op: LabOp, inputs: LabTensor[], options: LabOpOptions = {}): Promise<LabOutcome> {
  return page.evaluate((request) => window.tensorLab.runOp(request), { backend, op, inputs, options });
}

function outputsOf(outcome: LabOutcome, label: string): Record<string, LabTensor> {
  if (!outcome.ok) throw new Error(`${label} threw ${outcome.error.name}: ${outcome.error.message}`);
  return outcome.outputs;
}

/** The backends checked against the CPU reference. */
const BACKENDS = ['webgpu', 'wasm'] as const;

/** Runs the op on the CPU and on each of `backends`, and expects the same shapes and values within tolerance. */
async function expectMatchesCpu(op: LabOp, inputs: LabTensor[], options: LabOpOptions = {}, termsPerOutput = 1, backends: readonly LabBackend[] = BACKENDS): Promise<void> {
  const label = `${op} of ${inputs.map((input) => JSON.stringify(input.shape)).join(' and ')} ${JSON.stringify(options)}`;
  const expected = outputsOf(await runOn('cpu', op, inputs, options), `cpu ${label}`);
  for (const backend of backends) expectOutputsMatch(expected, await runOn(backend, op, inputs, options), `${backend} ${label}`, termsPerOutput);
}

/** One backend's outcome against the CPU's outputs. */
function expectOutputsMatch(expected: Record<string, LabTensor>, outcome: LabOutcome, label: string, termsPerOutput: number): void {
  const actual = outputsOf(outcome, label);
  expect(Object.keys(actual), label).toEqual(Object.keys(expected));
  const tolerance = { absolute: 1e-5 * Math.sqrt(termsPerOutput), relative: 1e-4 };
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name]!;
    expect(got.shape, `${label}: shape of ${name}`).toEqual(want.shape);
    expect(toleranceRatio(got.values, want.values, tolerance), `${label}: ${name} within tolerance`).toBeLessThanOrEqual(1);
  }
}

const MATMUL_CASES: [number[], number[], LabOpOptions?][] = [
  [[1, 1], [1, 1]],
  [[17, 33], [33, 65]],
  [[1, 1024], [1024, 1]],
  [[1024, 1], [1, 8]],
  [[3, 17, 33], [3, 33, 5]],
  [[3, 17, 33], [33, 5]],
  [[17, 33], [3, 33, 5]],
  [[2, 3, 5, 7], [2, 3, 7, 4]],
  [[64, 128], [128, 96]],
  [[130, 132], [132, 136]],
  [[33, 17], [33, 65], { transposeA: true }],
  [[17, 33], [65, 33], { transposeB: true }],
  [[3, 33, 17], [3, 5, 33], { transposeA: true, transposeB: true }],
  [[3, 36, 20], [40, 36], { transposeA: true, transposeB: true }],
  [[64, 300], [64, 8], { transposeA: true }],
  [[2, 260, 12], [12, 68]],
  [[100, 48], [48, 200]],
];

const MATMUL_VARIANTS = [
  { kernel: 'direct', useSubgroups: true },
  { kernel: 'direct', useSubgroups: false },
  { kernel: 'tiled', useSubgroups: false },
] as const;

for (const { kernel, useSubgroups } of MATMUL_VARIANTS) {
  test(`matmul with the ${kernel} kernel${useSubgroups ? ' and subgroups' : ''} matches the CPU on awkward, batched and transposed shapes`, async () => {
    await page.evaluate(([chosen, subgroups]) => window.tensorLab.useWebGpu(chosen, subgroups), [kernel, useSubgroups] as const);
    for (const [aShape, bShape, options] of MATMUL_CASES) {
      const k = options?.transposeB === true ? bShape[bShape.length - 1]! : bShape[bShape.length - 2]!;
      await expectMatchesCpu('matmul', [randomTensor(aShape), randomTensor(bShape)], options, k, ['webgpu']);
    }
    await page.evaluate(() => window.tensorLab.useWebGpu('auto'));
  });
}

/**
 * Odd sizes for the tuned configurations: none a multiple of a tile (129, 131: a 128-block and a
 * sliver), a batch, a shared operand, transposed operands, vec4-aligned ones. The small and square
 * shapes are MATMUL_CASES'; SwiftShader takes seconds a case with the large register tiles.
 */
const CONFIG_CASES: [number[], number[], LabOpOptions?][] = [
  [[129, 67], [67, 131]],
  [[3, 33, 17], [3, 17, 65]],
  [[2, 129, 68], [68, 132]],
  [[67, 129], [67, 131], { transposeA: true }],
  [[129, 68], [132, 68], { transposeB: true }],
  [[2, 68, 132], [2, 36, 68], { transposeA: true, transposeB: true }],
];

// The register-tile configurations; the direct, subgroup and tiled ones are the kernels tested
// above on MATMUL_CASES (their odd sizes included), and the tune test sets one by name.
for (const { name } of MATMUL_CONFIGS.filter((config) => config.kernel === 'register')) {
  test(`matmul with the ${name} configuration matches the CPU on odd, batched and transposed sizes`, async () => {
    const configs = await page.evaluate(() => window.tensorLab.matmulConfigs());
    test.skip(!configs.allowed.includes(name), `${name} exceeds this adapter's limits`);
    await page.evaluate((chosen) => window.tensorLab.useMatmulConfig(chosen), name);
    expect(await page.evaluate(() => window.tensorLab.adapter().then((adapter) => adapter.matmulConfig))).toBe(name);
    for (const [aShape, bShape, options] of CONFIG_CASES) {
      const k = options?.transposeB === true ? bShape[bShape.length - 1]! : bShape[bShape.length - 2]!;
      await expectMatchesCpu('matmul', [randomTensor(aShape), randomTensor(bShape)], options, k, ['webgpu']);
    }
    await page.evaluate(() => window.tensorLab.useWebGpu('auto'));
  });
}

test('the adapter allows the large register tiles, and only configurations within its limits', async () => {
  const { all, allowed, limits } = await page.evaluate(() => window.tensorLab.matmulConfigs());
  expect(all).toEqual(MATMUL_CONFIGS.map(({ name }) => name));
  expect(allowed).toContain('register-128x128-8x8-k8');
  for (const config of MATMUL_CONFIGS) {
    const [x, y] = config.workgroupSize;
    const fits = config.workgroupBytes <= limits['maxComputeWorkgroupStorageSize']! && x * y <= limits['maxComputeInvocationsPerWorkgroup']!;
    if (config.kernel !== 'subgroup') expect(allowed.includes(config.name), config.name).toBe(fits);
  }
});

test('the matmul tune picks an allowed configuration, caches it per adapter, and the next join reuses it without tuning', async () => {
  await page.evaluate(() => localStorage.clear());
  await page.evaluate(() => window.tensorLab.useWebGpu('auto'));
  const first = await page.evaluate(() => window.tensorLab.tuneMatmul());
  const { allowed } = await page.evaluate(() => window.tensorLab.matmulConfigs());
  expect(first.source).toBe('tuned');
  expect(allowed).toContain(first.config);
  const timed = Object.keys(first.tune!.timings);
  expect(timed.length).toBeGreaterThan(0);
  // SwiftShader: only the direct kernels are tuned (see tuneCandidates).
  expect([...timed, ...first.tune!.skipped].sort()).toEqual(['direct', 'direct+subgroups']);
  expect(first.tune!.timings[first.config]).toBe(Math.min(...Object.values(first.tune!.timings)));
  expect(first.adapterKey).toMatch(/^google\|swiftshader\|.*\|[0-9a-f]{8}$/);
  // A new device on the same adapter, as at the next join: the cached tune, no timing.
  await page.evaluate(() => window.tensorLab.useWebGpu('auto'));
  const second = await page.evaluate(() => window.tensorLab.tuneMatmul());
  expect(second).toMatchObject({ source: 'cached', config: first.config, adapterKey: first.adapterKey, tunesRun: first.tunesRun });
  expect(second.tune).toBeUndefined();
  expect((await page.evaluate(() => window.tensorLab.adapter())).matmulConfig).toBe(first.config);
  await expectMatchesCpu('matmul', [randomTensor([129, 67]), randomTensor([67, 131])], {}, 67, ['webgpu']);
  console.log(`matmul tune here: ${first.config}; ${JSON.stringify(first.tune!.timings)} ms per ${first.tune!.size}³ product`);
  await page.evaluate(() => localStorage.clear());
  await page.evaluate(() => window.tensorLab.useWebGpu('auto'));
});

test('matmul on the WASM backend matches the CPU on awkward, batched, shared-operand and transposed shapes', async () => {
  for (const [aShape, bShape, options] of MATMUL_CASES) {
    const k = options?.transposeB === true ? bShape[bShape.length - 1]! : bShape[bShape.length - 2]!;
    await expectMatchesCpu('matmul', [randomTensor(aShape), randomTensor(bShape)], options, k, ['wasm']);
  }
});

test('the WebGPU adapter here is SwiftShader and takes the direct matmul kernel with subgroups', async () => {
  const adapter = await page.evaluate(() => window.tensorLab.adapter());
  expect(adapter.architecture).toBe('swiftshader');
  expect(adapter.cpuEmulated).toBe(true);
  expect(adapter.subgroupSize).toBe(4);
  expect(adapter.matmulKernel).toBe('direct');
  expect(adapter.subgroupMatmul).toBe(true);
});

test('elementwise ops broadcast like NumPy', async () => {
  const pairs: [number[], number[]][] = [
    [[4, 1, 3], [2, 1]],
    [[17, 33], [17, 33]],
    [[17, 33], [33]],
    [[1, 1024], [1]],
    [[1024, 1], [1024, 1]],
    [[1, 64], [64, 1]],
    [[1], [1]],
    [[2, 1, 3, 1, 2], [3, 5, 1]],
  ];
  for (const [aShape, bShape] of pairs) {
    for (const op of ['add', 'sub', 'mul'] as const) await expectMatchesCpu(op, [randomTensor(aShape), randomTensor(bShape)]);
    await expectMatchesCpu('div', [randomTensor(aShape), randomTensor(bShape, 0.5, 2)]);
  }
});

test('unary ops match on awkward shapes, including large inputs', async () => {
  for (const shape of [[1, 1], [17, 33], [1, 1024], [1024, 1], [3, 5, 7]]) {
    for (const op of ['relu', 'gelu', 'exp', 'tanh', 'sigmoid', 'neg'] as const) await expectMatchesCpu(op, [randomTensor(shape, -4, 4)]);
    await expectMatchesCpu('log', [randomTensor(shape, 0.01, 5)]);
  }
  const extremes = { shape: [6], values: [-60, -20, -0.5, 0.5, 20, 60] };
  for (const op of ['gelu', 'tanh', 'sigmoid', 'relu'] as const) await expectMatchesCpu(op, [extremes]);
});

test('sum, mean and max reduce along an axis, with keepDims, and over everything', async () => {
  const cases: [number[], number | undefined][] = [
    [[17, 33], 0],
    [[17, 33], 1],
    [[17, 33], -1],
    [[1, 1024], 1],
    [[1024, 1], 0],
    [[1024, 1], 1],
    [[3, 17, 33], 1],
    [[600, 3], 0],
    [[17, 33], undefined],
    [[1, 1], 0],
  ];
  for (const [shape, axis] of cases) {
    const terms = axis === undefined ? sizeOf(shape) : shape.at(axis);
    for (const keepDims of [false, true]) {
      const options = axis === undefined ? { keepDims } : { axis, keepDims };
      for (const op of ['sum', 'mean', 'max'] as const) await expectMatchesCpu(op, [randomTensor(shape)], options, op === 'sum' ? terms : 1);
    }
  }
});

test('softmax along the last axis and along others', async () => {
  for (const shape of [[1, 1], [17, 33], [1, 1024], [1024, 1]]) await expectMatchesCpu('softmax', [randomTensor(shape, -5, 5)]);
  await expectMatchesCpu('softmax', [randomTensor([4, 5, 6], -5, 5)], { axis: 1 });
  await expectMatchesCpu('softmax', [randomTensor([17, 33], -5, 5)], { axis: 0 });
  await expectMatchesCpu('softmax', [{ shape: [2, 3], values: [1000, 1001, 1002, -1000, 0, 1000] }]);
});

test('transpose, reshape, slice and concat move the right elements', async () => {
  for (const shape of [[17, 33], [1, 1024], [1024, 1], [1, 1]]) await expectMatchesCpu('transpose', [randomTensor(shape)]);
  await expectMatchesCpu('transpose', [randomTensor([3, 17, 33])], { perm: [2, 0, 1] });
  await expectMatchesCpu('transpose', [randomTensor([2, 3, 4, 5])], { perm: [0, 2, 1, 3] });
  await expectMatchesCpu('reshape', [randomTensor([17, 33])], { shape: [33, -1] });
  await expectMatchesCpu('slice', [randomTensor([17, 33])], { begin: [2, 5], size: [10, -1] });
  await expectMatchesCpu('slice', [randomTensor([3, 17, 33])], { begin: [1, 0, 32], size: [2, 17, 1] });
  await expectMatchesCpu('slice', [randomTensor([1024, 1])], { begin: [1000, 0], size: [24, 1] });
  await expectMatchesCpu('concat', [randomTensor([17, 33]), randomTensor([17, 5])], { axis: 1 });
  await expectMatchesCpu('concat', [randomTensor([17, 33]), randomTensor([2, 33]), randomTensor([1, 33])], { axis: 0 });
  await expectMatchesCpu('concat', [randomTensor([1, 1024]), randomTensor([1, 1024])], { axis: -2 });
  await expectMatchesCpu('concat', [randomTensor([3, 2, 4]), randomTensor([3, 1, 4])], { axis: 1 });
});

test('training ops: matmulBackward, reluBackward and softmax cross-entropy', async () => {
  const backward: [number[], number[], number[]][] = [
    [[17, 33], [33, 65], [17, 65]],
    [[3, 17, 33], [3, 33, 5], [3, 17, 5]],
    [[3, 17, 33], [33, 5], [3, 17, 5]],
    [[17, 33], [3, 33, 5], [3, 17, 5]],
  ];
  for (const [aShape, bShape, cShape] of backward) {
    // dA sums over n; dB over m, times the batch when B is shared.
    const n = cShape.at(-1);
    const terms = Math.max(n, sizeOf(cShape) / n);
    await expectMatchesCpu('matmulBackward', [randomTensor(aShape), randomTensor(bShape), randomTensor(cShape)], {}, terms);
  }
  await expectMatchesCpu('reluBackward', [randomTensor([17, 33]), randomTensor([17, 33])]);
  const logits = randomTensor([17, 10], -3, 3);
  const classes = Array.from({ length: 17 }, (_, row) => (row * 7) % 10);
  await expectMatchesCpu('softmaxCrossEntropy', [logits], { classIndices: classes }, 17);
  await expectMatchesCpu('softmaxCrossEntropy', [logits, { shape: [17], values: classes }], {}, 17);
  const oneHot = { shape: [17, 10], values: classes.flatMap((label) => Array.from({ length: 10 }, (_, c) => (c === label ? 1 : 0))) };
  await expectMatchesCpu('softmaxCrossEntropy', [logits, oneHot], {}, 17);
});

for (const backend of BACKENDS) {
  test(`MLP and batched matmul gradients on ${backend} match finite differences`, async () => {
    const mlp = await page.evaluate((chosen) => window.tensorLab.checkMlpGradients(chosen, 7), backend);
    expect(Object.keys(mlp)).toEqual(['w1', 'b1', 'w2', 'b2']);
    for (const [name, ratio] of Object.entries(mlp)) expect(ratio, `gradient of ${name}`).toBeLessThanOrEqual(1);
    for (const [aShape, bShape] of [[[3, 4, 5], [5, 2]], [[4, 5], [3, 5, 2]], [[2, 4, 5], [2, 5, 3]]]) {
      const errors = await page.evaluate(([chosen, a, b]) => window.tensorLab.checkMatmulGradients(chosen, a, b, 3), [backend, aShape!, bShape!] as const);
      expect(errors.dA, `dA of ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)}`).toBeLessThanOrEqual(1);
      expect(errors.dB, `dB of ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)}`).toBeLessThanOrEqual(1);
    }
  });

  test(`a small MLP trains on ${backend} as on the CPU, leaking no tensors`, async () => {
    const trained = await page.evaluate((chosen) => window.tensorLab.trainMlp(chosen, 40), backend);
    const cpu = await page.evaluate(() => window.tensorLab.trainMlp('cpu', 40));
    expect(trained.losses.at(-1)).toBeLessThan(trained.losses[0]! * 0.5);
    expect(toleranceRatio(trained.losses, cpu.losses, { absolute: 1e-4, relative: 1e-3 })).toBeLessThanOrEqual(1);
    // Only x and the four parameters are alive when training ends.
    expect(trained.liveTensorsAfter).toBe(5);
  });
}

test('mismatched shapes throw ShapeError naming the op and the shapes, on every backend', async () => {
  const mismatches: [LabOp, LabTensor[], string][] = [
    ['matmul', [randomTensor([17, 33]), randomTensor([34, 65])], 'matmul: inner dimensions differ: [17,33] x [34,65]'],
    ['matmul', [randomTensor([3, 17, 33]), randomTensor([2, 33, 5])], 'matmul: batch dimensions differ: [3,17,33] x [2,33,5]'],
    ['add', [randomTensor([2, 3]), randomTensor([4, 3])], 'add: shapes do not broadcast: [2,3] and [4,3]'],
    ['concat', [randomTensor([2, 3]), randomTensor([3, 3])], 'concat: shapes differ off axis 1: [2,3], [3,3]'],
    ['reluBackward', [randomTensor([2, 3]), randomTensor([3, 2])], 'reluBackward: shapes differ: [2,3] and [3,2]'],
  ];
  for (const backend of ['cpu', ...BACKENDS] as const) {
    for (const [op, inputs, message] of mismatches) {
      const outcome = await runOn(backend, op, inputs, op === 'concat' ? { axis: 1 } : {});
      expect(outcome, `${backend} ${op}`).toEqual({ ok: false, error: { name: 'ShapeError', message } });
    }
  }
});

test('a result larger than one buffer throws TensorTooLargeError before any work is queued', async () => {
  for (const backend of BACKENDS) {
    const outcome = await runOn(backend, 'matmul', [randomTensor([32768, 1]), randomTensor([1, 32768])]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.name).toBe('TensorTooLargeError');
    expect(outcome.error.message).toMatch(new RegExp(`^matmul: \\[32768,32768\\] has 1073741824 elements, more than the \\d+ one ${backend} buffer holds$`));
  }
});

test('WASM memory that cannot grow turns into OutOfMemoryError, and the backend works again once tensors are freed', async ({ browser }) => {
  test.setTimeout(180_000);
  // A page of its own: WebAssembly memory never shrinks, and this one grows to 4 GiB.
  const own = await browser.newPage();
  try {
    await own.goto(`${server.url}/web-worker/tensor/lab.html`);
    await own.waitForFunction(() => document.body.dataset['ready'] === 'true');
    const exhausted = await own.evaluate(() => window.tensorLab.exhaustWasmMemory());
    expect(exhausted.name, exhausted.message).toBe('OutOfMemoryError');
    expect(exhausted.message).toMatch(/^wasm: out of WebAssembly memory/);
    expect(exhausted.causeName).toBe('WasmMemoryError');
    expect(exhausted.tensorsMade).toBeGreaterThanOrEqual(1);
    expect(exhausted.tensorsMade).toBeLessThan(4);
    expect(exhausted.usableAfter).toBe(true);
  } finally {
    await own.close();
  }
});

test('at join, the backends are measured and a core on the fastest one computes right', async () => {
  const started = Date.now();
  const selection = await page.evaluate(() => window.tensorLab.selectBackends());
  const tookMs = Date.now() - started;
  const { choice, policy } = selection;
  const measured = new Set(choice.figures.map((figure) => figure.backend));
  expect([...measured].sort()).toEqual(['cpu', 'wasm', 'webgpu']);
  expect(choice.unavailable).toEqual([]);
  for (const figure of choice.figures) expect(figure.gflops, `${figure.backend} at ${figure.size}`).toBeGreaterThan(0);
  expect(choice.chosen.bySize[0]?.fromMultiplyAdds).toBe(0);
  expect(choice.chosen.bySize).toEqual(policy.ranges);
  // The core is the one the policy names for the task size: whichever that is here (tests never assert on speed).
  const atTaskSize = [...policy.ranges].reverse().find((range) => range.fromMultiplyAdds <= choice.chosen.taskMultiplyAdds);
  expect(selection.coreBackend).toBe(atTaskSize?.backend);
  expect(choice.chosen.backend).toBe(selection.coreBackend);
  expect(selection.matmulError).toBeLessThanOrEqual(1);
  console.log(`backend choice here (${tookMs} ms): ${JSON.stringify(choice.chosen)}\n  ${choice.figures.map((f) => `${f.backend}@${f.size}: ${f.gflops.toFixed(2)} GFLOPS`).join(', ')}`);
});

test('a chain of ops is submitted once, pipelines are compiled once and buffers reused', async () => {
  const x = randomTensor([17, 33]);
  await runOn('webgpu', 'gelu', [x]);
  const before = await page.evaluate(() => window.tensorLab.webGpuStats());
  await runOn('webgpu', 'gelu', [x]);
  const after = await page.evaluate(() => window.tensorLab.webGpuStats());
  expect(after.pipelines).toBe(before.pipelines);
  expect(after.buffersCreated).toBe(before.buffersCreated);
  expect(after.buffersReused).toBeGreaterThan(before.buffersReused);
  expect(after.submits).toBe(before.submits + 1);
  expect(after.liveStorages).toBe(0);
});

// Reports speed, asserts only correctness (tests never assert on wall-clock speed). For the
// full table: TABGRID_MATMUL_SIZES=256,512,1024,2048 npx playwright test e2e/tensor.spec.ts -g GFLOPS
// (`npm run bench:tensor` compares with TensorFlow.js).
test('matmul GFLOPS on WebGPU and WASM, reported', async () => {
  const sizes = (process.env['TABGRID_MATMUL_SIZES'] ?? '256,512,1024').split(',').map(Number);
  test.setTimeout(60_000 + 90_000 * sizes.length);
  const lines: string[] = [];
  for (const size of sizes) {
    for (const backend of BACKENDS) {
      const timing = await page.evaluate(([n, chosen]) => window.tensorLab.timeMatmul(n, { runs: 5, backend: chosen }), [size, backend] as const);
      expect(timing.maxRelativeError, `${backend} matmul ${size} accuracy`).toBeLessThan(1e-5);
      lines.push(`${backend} ${size}x${size}: ${timing.gflops.toFixed(2)} GFLOPS (median ${timing.medianMs.toFixed(1)} ms, ${timing.kernel})`);
    }
  }
  console.log(`matmul here (webgpu: to the GPU finishing; wasm: readback included):\n  ${lines.join('\n  ')}`);
  await test.info().attach('matmul GFLOPS', { body: lines.join('\n'), contentType: 'text/plain' });
});

test('a lost device turns into DeviceLostError, and a new backend works afterwards', async () => {
  const lost = await page.evaluate(() => window.tensorLab.loseDevice());
  expect(lost.lostReported).toBe(true);
  expect(lost.name).toBe('DeviceLostError');
  expect(lost.message).toContain('device lost');
  await page.evaluate(() => window.tensorLab.useWebGpu('auto'));
  await expectMatchesCpu('matmul', [randomTensor([17, 33]), randomTensor([33, 65])], {}, 33, ['webgpu']);
});
