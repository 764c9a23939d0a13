/**
 * The threaded WASM lab page: the WASM backend as a tab opens it (threaded where the page is
 * cross-origin isolated), its ops run across its threads and checked against the CPU reference,
 * for `e2e/isolation-threads.spec.ts`. Exposed as `window.wasmThreadsLab`.
 */
import { type Tensor, TensorCore, createCpuBackend, createRandom, randomValues, toleranceRatio } from '../../../shared/tensor/index.js';
import { loadWasmBackend } from './bundled.js';
import type { WasmThreadsCheck, WasmThreadsLab, WasmThreadsOp, WasmThreadsStatus } from './lab-protocol.js';

declare global {
  interface Window {
    wasmThreadsLab: WasmThreadsLab;
  }
}

const backend = await loadWasmBackend();
const wasm = new TensorCore(backend);
const cpu = new TensorCore(createCpuBackend());

function status(): WasmThreadsStatus {
  return {
    crossOriginIsolated: globalThis.crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
    maxThreads: backend.maxThreads,
    threadsReady: backend.threadsReady,
  };
}

async function start(threads = backend.maxThreads): Promise<WasmThreadsStatus> {
  await backend.startThreads(threads);
  return status();
}

/** The op's inputs' shapes and what it does with them on a core. */
function workOf(request: WasmThreadsOp): { shapes: number[][]; run: (t: TensorCore, inputs: Tensor[]) => Tensor; terms: number } {
  if (request.op === 'matmul') {
    const { m, k, n, batch } = request;
    const lead = batch === undefined ? [] : [batch];
    return { shapes: [[...lead, m, k], [...lead, k, n]], run: (t, [a, b]) => t.matmul(a!, b!), terms: k };
  }
  const { rows, cols } = request;
  const shapes = [[rows, cols], [rows, cols]];
  switch (request.op) {
    case 'gelu': return { shapes, run: (t, [x]) => t.gelu(x!), terms: 1 };
    case 'mul': return { shapes, run: (t, [x, y]) => t.mul(x!, y!), terms: 1 };
    case 'softmax': return { shapes, run: (t, [x]) => t.softmax(x!, -1), terms: cols };
    case 'sumRows': return { shapes, run: (t, [x]) => t.sum(x!, 1), terms: cols };
    case 'sumColumns': return { shapes, run: (t, [x]) => t.sum(x!, 0), terms: rows };
  }
}

async function compute(t: TensorCore, request: WasmThreadsOp, values: Float32Array[]): Promise<Float32Array> {
  const { shapes, run } = workOf(request);
  const inputs = values.map((data, i) => t.tensor(data, shapes[i]));
  const out = run(t, inputs);
  const result = await out.data();
  [...inputs, out].forEach((tensor) => tensor.dispose());
  return result;
}

async function check(request: WasmThreadsOp): Promise<WasmThreadsCheck> {
  const { shapes, terms } = workOf(request);
  const random = createRandom(shapes.flat().reduce((sum, size) => sum + size, 0));
  const values = shapes.map((shape) => randomValues(random, shape.reduce((product, size) => product * size, 1)));
  const threadsUsed = backend.threadsReady;
  const got = await compute(wasm, request, values);
  const want = await compute(cpu, request, values);
  return { threadsUsed, errorRatio: toleranceRatio(got, want, { absolute: 1e-5 * Math.sqrt(terms), relative: 1e-4 }) };
}

window.wasmThreadsLab = { start, check };
