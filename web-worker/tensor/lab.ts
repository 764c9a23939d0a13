/**
 * The tensor lab page: runs ops on a chosen backend, times matmul and forces device loss, for
 * the browser tests (`e2e/tensor.spec.ts`) and benchmarks. Exposed as `window.tensorLab`.
 */
import {
  type GradientErrors,
  Tensor,
  TensorCore,
  checkMatmulGradients,
  checkMlpGradients,
  createCpuBackend,
  createRandom,
  type MlpParameters,
  mlpLossAndGradients,
  randomValues,
  toleranceRatio,
} from '../../shared/tensor/index.js';
import type {
  LabBackend, LabMemoryExhaustion, LabOp, LabOpOptions, LabOpRequest, LabOutcome, LabSelectOptions, LabSelection, LabTensor, LabTune, MatmulTiming, MatmulTimingOptions, TensorLab,
} from './lab-protocol.js';
import { selectTensorBackends } from './select/index.js';
import { type WasmBackend, loadWasmBackend } from './wasm-backend/index.js';
import { settleMatmul } from './webgpu/autotune.js';
import { type MatmulKernel, type WebGpuBackend, createWebGpuBackend } from './webgpu/backend.js';
import { MATMUL_CONFIGS } from './webgpu/matmul-configs.js';
import { readMatmulTunes, rememberMatmulTune } from './webgpu/tune-cache.js';

declare global {
  interface Window {
    tensorLab: TensorLab;
  }
}

type OpResult = Tensor | Readonly<Record<string, Tensor>>;
type OpRunner = (t: TensorCore, inputs: Tensor[], options: LabOpOptions) => OpResult;

const first = (inputs: Tensor[], index = 0): Tensor => {
  const tensor = inputs[index];
  if (tensor === undefined) throw new RangeError(`input ${index} is missing`);
  return tensor;
};

const OPS: Readonly<Record<LabOp, OpRunner>> = {
  matmul: (t, x, o) => t.matmul(first(x), first(x, 1), { transposeA: o.transposeA ?? false, transposeB: o.transposeB ?? false }),
  add: (t, x) => t.add(first(x), first(x, 1)),
  sub: (t, x) => t.sub(first(x), first(x, 1)),
  mul: (t, x) => t.mul(first(x), first(x, 1)),
  div: (t, x) => t.div(first(x), first(x, 1)),
  relu: (t, x) => t.relu(first(x)),
  gelu: (t, x) => t.gelu(first(x)),
  exp: (t, x) => t.exp(first(x)),
  log: (t, x) => t.log(first(x)),
  tanh: (t, x) => t.tanh(first(x)),
  sigmoid: (t, x) => t.sigmoid(first(x)),
  neg: (t, x) => t.neg(first(x)),
  sum: (t, x, o) => t.sum(first(x), o.axis, { keepDims: o.keepDims ?? false }),
  mean: (t, x, o) => t.mean(first(x), o.axis, { keepDims: o.keepDims ?? false }),
  max: (t, x, o) => t.max(first(x), o.axis, { keepDims: o.keepDims ?? false }),
  softmax: (t, x, o) => t.softmax(first(x), o.axis ?? -1),
  transpose: (t, x, o) => t.transpose(first(x), o.perm),
  reshape: (t, x, o) => t.reshape(first(x), o.shape ?? [-1]),
  slice: (t, x, o) => t.slice(first(x), o.begin ?? [], o.size ?? []),
  concat: (t, x, o) => t.concat(x, o.axis ?? 0),
  matmulBackward: (t, x) => ({ ...t.matmulBackward(first(x), first(x, 1), first(x, 2)) }),
  reluBackward: (t, x) => t.reluBackward(first(x), first(x, 1)),
  softmaxCrossEntropy: (t, x, o) => ({ ...t.softmaxCrossEntropy(first(x), o.classIndices ?? first(x, 1)) }),
};

const cpu = new TensorCore(createCpuBackend());
let webgpu: { core: TensorCore; backend: WebGpuBackend } | undefined;

async function useWebGpu(kernel: MatmulKernel | 'auto', useSubgroups = true): Promise<void> {
  webgpu?.core.destroy();
  const backend = await createWebGpuBackend({ matmulKernel: kernel, useSubgroups });
  webgpu = { core: new TensorCore(backend), backend };
}

async function webGpu(): Promise<{ core: TensorCore; backend: WebGpuBackend }> {
  if (webgpu === undefined) await useWebGpu('auto');
  return webgpu!;
}

let wasm: { core: TensorCore; backend: WasmBackend } | undefined;

async function wasmCore(): Promise<{ core: TensorCore; backend: WasmBackend }> {
  if (wasm === undefined) {
    const backend = await loadWasmBackend();
    wasm = { core: new TensorCore(backend), backend };
  }
  return wasm;
}

async function coreFor(backend: LabBackend): Promise<TensorCore> {
  if (backend === 'cpu') return cpu;
  return backend === 'wasm' ? (await wasmCore()).core : (await webGpu()).core;
}

async function runOp(request: LabOpRequest): Promise<LabOutcome> {
  const t = await coreFor(request.backend);
  const made: Tensor[] = [];
  try {
    const inputs = request.inputs.map((input) => t.tensor(Float32Array.from(input.values), input.shape));
    made.push(...inputs);
    const result = OPS[request.op](t, inputs, request.options ?? {});
    const named = result instanceof Tensor ? { out: result } : result;
    made.push(...Object.values(named));
    const outputs: Record<string, LabTensor> = {};
    for (const [name, tensor] of Object.entries(named)) {
      outputs[name] = { shape: [...tensor.shape], values: Array.from(await tensor.data()) };
    }
    return { ok: true, outputs };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  } finally {
    for (const tensor of made) tensor.dispose();
  }
}

async function timeMatmul(size: number, options: MatmulTimingOptions = {}): Promise<MatmulTiming> {
  const backendName = options.backend ?? 'webgpu';
  const t = await coreFor(backendName);
  const gpu = backendName === 'webgpu' ? (await webGpu()).backend : undefined;
  const random = createRandom(size);
  const aValues = randomValues(random, size * size);
  const bValues = randomValues(random, size * size);
  const a = t.tensor(aValues, [size, size]);
  const b = t.tensor(bValues, [size, size]);
  // By default waits for the GPU without reading back, so the timing is the kernel's, not the copy's.
  const readBack = gpu === undefined || options.includeReadback === true;
  const settle = async (c: Tensor): Promise<void> => (readBack ? void (await c.data()) : gpu.finish());
  const runOnce = async (): Promise<number> => {
    const start = performance.now();
    const c = t.matmul(a, b);
    await settle(c);
    const elapsed = performance.now() - start;
    c.dispose();
    return elapsed;
  };
  await settle(a);
  await runOnce();
  const runsMs: number[] = [];
  for (let run = 0; run < (options.runs ?? 5); run++) runsMs.push(await runOnce());
  const c = t.matmul(a, b);
  const maxRelativeError = sampledError(aValues, bValues, await c.data(), size);
  [a, b, c].forEach((tensor) => tensor.dispose());
  const medianMs = [...runsMs].sort((x, y) => x - y)[Math.floor(runsMs.length / 2)] ?? Number.NaN;
  return {
    size,
    backend: backendName,
    kernel: gpu === undefined ? backendName : gpu.matmulConfig,
    runsMs,
    medianMs,
    gflops: (2 * size ** 3) / (medianMs * 1e6),
    maxRelativeError,
  };
}

/** Checks 64 random entries of C against f64 dot products, relative to the row/column norms. */
function sampledError(a: Float32Array, b: Float32Array, c: Float32Array, size: number): number {
  const random = createRandom(7);
  let worst = 0;
  for (let sample = 0; sample < 64; sample++) {
    const i = Math.floor(random() * size);
    const j = Math.floor(random() * size);
    let exact = 0;
    let scale = 0;
    for (let k = 0; k < size; k++) {
      const product = a[i * size + k]! * b[k * size + j]!;
      exact += product;
      scale += Math.abs(product);
    }
    worst = Math.max(worst, Math.abs(c[i * size + j]! - exact) / Math.max(scale, 1e-30));
  }
  return worst;
}

async function loseDevice(): Promise<{ name: string; message: string; lostReported: boolean }> {
  const { core, backend } = await webGpu();
  const x = core.tensor([1, 2, 3, 4], [2, 2]);
  const pending = core.relu(x).data();
  backend.forceDeviceLoss();
  const lost = await Promise.race([backend.lost.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000))]);
  try {
    await pending;
    core.relu(x);
    return { name: 'none', message: 'no error after the device was lost', lostReported: lost };
  } catch (error) {
    return { ...describeError(error), lostReported: lost };
  }
}

/**
 * 64 points in 8 dimensions, labelled by which of 4 random directions they lean along most;
 * 8 -> 32 -> 4 perceptron, SGD with learning rate 0.5. Reads back only the loss of each step.
 */
async function trainMlp(backend: LabBackend, steps: number): Promise<{ losses: number[]; liveTensorsAfter: number }> {
  const t = await coreFor(backend);
  const random = createRandom(11);
  const inputs = randomValues(random, 64 * 8);
  const directions = randomValues(random, 8 * 4);
  const labels = Array.from({ length: 64 }, (_, row) => {
    const scores = [0, 1, 2, 3].map((c) => [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, d) => sum + inputs[row * 8 + d]! * directions[d * 4 + c]!, 0));
    return scores.indexOf(Math.max(...scores));
  });
  const x = t.tensor(inputs, [64, 8]);
  let params = {
    w1: t.tensor(randomValues(random, 8 * 32, -0.5, 0.5), [8, 32]),
    b1: t.zeros([32]),
    w2: t.tensor(randomValues(random, 32 * 4, -0.5, 0.5), [32, 4]),
    b2: t.zeros([4]),
  };
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { loss, gradients } = mlpLossAndGradients(t, params, x, labels);
    const next = t.scope(() => ({
      w1: t.sub(params.w1, t.mul(gradients.w1, 0.5)),
      b1: t.sub(params.b1, t.mul(gradients.b1, 0.5)),
      w2: t.sub(params.w2, t.mul(gradients.w2, 0.5)),
      b2: t.sub(params.b2, t.mul(gradients.b2, 0.5)),
    }));
    losses.push((await loss.data())[0] ?? Number.NaN);
    [loss, ...parametersOf(gradients), ...parametersOf(params)].forEach((tensor) => tensor.dispose());
    params = next;
  }
  const live = backend === 'webgpu' ? (await webGpu()).backend.stats().liveStorages : backend === 'wasm' ? (await wasmCore()).backend.stats().liveStorages : undefined;
  [x, ...parametersOf(params)].forEach((tensor) => tensor.dispose());
  return { losses, liveTensorsAfter: live ?? -1 };
}

function parametersOf(params: MlpParameters): Tensor[] {
  return [params.w1, params.b1, params.w2, params.b2];
}

async function gradientCheck(backend: LabBackend, check: (t: TensorCore) => Promise<GradientErrors>): Promise<GradientErrors> {
  return check(await coreFor(backend));
}

let tunesRun = 0;

/** As a join does: the tune this page's localStorage keeps for the adapter, else a new tune, kept. */
async function tuneMatmul(options: { budgetMs?: number; size?: number } = {}): Promise<LabTune> {
  const { backend } = await webGpu();
  const settled = await settleMatmul(backend, readMatmulTunes(localStorage), options);
  if (settled.source === 'tuned') {
    tunesRun++;
    rememberMatmulTune(localStorage, settled.adapterKey, settled.config);
  }
  return { ...settled, tunesRun };
}

async function selectBackends(options: LabSelectOptions = {}): Promise<LabSelection> {
  const selection = await selectTensorBackends({
    measure: options.measure ?? {},
    timeLimitsMs: options.timeLimitsMs ?? {},
    matmulTunes: readMatmulTunes(localStorage),
    tune: options.skipTune === true ? false : {},
  });
  try {
    const random = createRandom(5);
    const [aValues, bValues] = [randomValues(random, 17 * 33), randomValues(random, 33 * 65)];
    const product = async (t: TensorCore): Promise<Float32Array> => {
      const tensors = [t.tensor(aValues, [17, 33]), t.tensor(bValues, [33, 65])];
      tensors.push(t.matmul(tensors[0]!, tensors[1]!));
      const values = await tensors[2]!.data();
      tensors.forEach((tensor) => tensor.dispose());
      return values;
    };
    const task = selection.coreFor({ multiplyAdds: 17 * 33 * 65 });
    const matmulError = toleranceRatio(await product(task), await product(cpu), { absolute: 1e-5 * Math.sqrt(33), relative: 1e-4 });
    task.destroy();
    return { choice: selection.choice, policy: selection.policy, coreBackend: selection.core.backendName, matmulError };
  } finally {
    selection.destroy();
  }
}

/** 1 GiB tensors (k = 1 products, cheap to make) kept alive until the 4 GiB memory is full. */
async function exhaustWasmMemory(): Promise<LabMemoryExhaustion> {
  const backend = await loadWasmBackend();
  const t = new TensorCore(backend);
  const [column, row] = [t.fill([16384, 1], 1), t.fill([1, 16384], 2)];
  const made: Tensor[] = [];
  try {
    for (let i = 0; i < 8; i++) made.push(t.matmul(column, row));
    return { name: 'none', message: 'eight 1 GiB tensors fit', causeName: '', tensorsMade: made.length, usableAfter: false };
  } catch (error) {
    const cause = error instanceof Error ? (error.cause as { name?: string } | undefined)?.name ?? '' : '';
    made.forEach((tensor) => tensor.dispose());
    const check = await t.matmul(t.tensor([1, 2, 3, 4], [2, 2]), t.tensor([1, 0, 0, 1], [2, 2])).data();
    return { ...describeError(error), causeName: cause, tensorsMade: made.length, usableAfter: check.join() === '1,2,3,4' };
  } finally {
    t.destroy();
  }
}

function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'unknown', message: String(error) };
}

window.tensorLab = {
  adapter: async () => {
    const { backend } = await webGpu();
    return { ...backend.adapter, matmulKernel: backend.matmulKernel, subgroupMatmul: backend.subgroupMatmul, matmulConfig: backend.matmulConfig };
  },
  matmulConfigs: async () => {
    const { backend } = await webGpu();
    return { all: MATMUL_CONFIGS.map(({ name }) => name), allowed: [...backend.matmulConfigs], current: backend.matmulConfig, limits: backend.adapter.limits };
  },
  useMatmulConfig: async (name) => (await webGpu()).backend.useMatmulConfig(name),
  tuneMatmul,
  runOp,
  timeMatmul,
  useWebGpu,
  loseDevice,
  checkMlpGradients: (backend, seed) => gradientCheck(backend, (t) => checkMlpGradients(t, seed)),
  checkMatmulGradients: (backend, aShape, bShape, seed) => gradientCheck(backend, (t) => checkMatmulGradients(t, aShape, bShape, seed)),
  webGpuStats: async () => (await webGpu()).backend.stats(),
  wasmStats: async () => (await wasmCore()).backend.stats(),
  selectBackends,
  exhaustWasmMemory,
  trainMlp,
};
document.body.dataset['ready'] = 'true';
