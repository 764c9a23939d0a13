// The tensor benchmark page: matmul, softmax and sum through our TensorCore on WebGPU, on WASM
// and on the backend the join-time selection chooses, against TensorFlow.js's webgpu and wasm
// backends and plain JS loops, on the same inputs. The page is cross-origin isolated, so both
// WASM contenders run threaded: ours on every core, TF.js with `setThreadsCount(cores)` (its
// threaded-SIMD binary). Every run ends with the result read back;
// inputs are resident beforehand; contenders take turns within each round. Only this page
// imports TensorFlow.js. Query: ?sizes=256,512,1024,2048&runs=9 (at least 5; a contender
// taking over 2 s a run gets 5). The report lands in
// `window.tensorBench`.
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { TensorCore, createRandom, randomValues } from '../shared/tensor/index.js';
import { selectTensorBackends } from '../web-worker/tensor/select/index.js';
import { type WasmBackend, loadWasmBackend } from '../web-worker/tensor/wasm-backend/index.js';
import { tuneMatmul } from '../web-worker/tensor/webgpu/autotune.js';
import { createWebGpuBackend } from '../web-worker/tensor/webgpu/backend.js';
import { type Contender, type PreparedRun, type Workload, coreContender, inputShapes, jsLoopContender, tfjsContender } from './tensor-contenders.js';
import { type ContenderName, type TensorBenchReport, type TensorBenchRow, formatTable } from './tensor-report.js';
import { maxRelDiff, median } from './samples.js';

declare global {
  interface Window {
    tensorBench?: TensorBenchReport;
  }
}

/** A workload with how its speed is counted. */
interface WorkloadSpec {
  readonly label: string;
  readonly workload: Workload;
  readonly unit: 'GFLOPS' | 'GB/s';
  /** FLOPs (matmul) or bytes read and written (the others) per run. */
  readonly amount: number;
  /** The size the chosen core is picked for: multiply-adds, or elements for the memory-bound ops. */
  readonly multiplyAdds: number;
}

function workloads(sizes: readonly number[]): WorkloadSpec[] {
  const million = 1024 * 1024;
  return [
    ...sizes.map((n): WorkloadSpec => ({ label: `matmul ${n}`, workload: { kind: 'matmul', n }, unit: 'GFLOPS', amount: 2 * n ** 3, multiplyAdds: n ** 3 })),
    { label: 'softmax 1024×1024', workload: { kind: 'softmax', rows: 1024, cols: 1024 }, unit: 'GB/s', amount: 8 * million, multiplyAdds: million },
    { label: 'sum 4M', workload: { kind: 'sum', shape: [4 * million] }, unit: 'GB/s', amount: 16 * million + 4, multiplyAdds: 4 * million },
    { label: 'sum 2048×2048 axis 0', workload: { kind: 'sum', shape: [2048, 2048], axis: 0 }, unit: 'GB/s', amount: 16 * million + 8192, multiplyAdds: 4 * million },
  ];
}

const WARM_UPS = 2;
/** The fewest timed runs anyone gets: what a contender taking over `SLOW_RUN_MS` a run gets (TF.js webgpu and JS at 2048). */
const MIN_RUNS = 5;
const SLOW_RUN_MS = 2000;
/** A run shorter than this repeats (the timer has a 0.1 ms grain without cross-origin isolation). */
const MIN_SAMPLE_MS = 50;
const MAX_REPEATS = 256;
/**
 * A pause before each contender's turn: SwiftShader's threads (and the GPU process) keep a
 * core busy for a moment after WebGPU work, which would slow whoever runs next on the CPU.
 */
const SETTLE_MS = 50;

interface Entry {
  readonly contender: Contender;
  readonly prepared: PreparedRun;
  runs: number;
  repeats: number;
  readonly samples: number[];
  product?: Float32Array;
}

async function timeEntry(entry: Entry): Promise<number> {
  await entry.contender.activate();
  await new Promise((settled) => setTimeout(settled, SETTLE_MS));
  const start = performance.now();
  for (let i = 0; i < entry.repeats; i++) entry.product = await entry.prepared.run();
  return (performance.now() - start) / entry.repeats;
}

async function benchWorkload(contenders: readonly Contender[], spec: WorkloadSpec, runs: number): Promise<TensorBenchRow> {
  const random = createRandom(spec.amount % 9973);
  const inputs = inputShapes(spec.workload).map((shape) => randomValues(random, shape.reduce((p, d) => p * d, 1)));
  const entries: Entry[] = [];
  for (const contender of contenders) {
    await contender.activate();
    const prepared = contender.prepare(spec.workload, inputs);
    entries.push({ contender, prepared, runs, repeats: 1, samples: [] });
  }
  try {
    for (const entry of entries) {
      let ms = await timeEntry(entry);
      for (let warm = 1; warm < WARM_UPS && ms < 1000; warm++) ms = await timeEntry(entry);
      entry.repeats = Math.min(MAX_REPEATS, Math.max(1, Math.ceil(MIN_SAMPLE_MS / ms)));
      if (ms > SLOW_RUN_MS) entry.runs = Math.min(runs, MIN_RUNS);
    }
    for (let round = 0; round < runs; round++) {
      // Each round starts with the next contender, so none always follows the same one.
      for (let turn = 0; turn < entries.length; turn++) {
        const entry = entries[(round + turn) % entries.length]!;
        if (entry.samples.length < entry.runs) entry.samples.push(await timeEntry(entry));
      }
    }
  } finally {
    entries.forEach((entry) => entry.prepared.release());
  }
  const speeds: Partial<Record<ContenderName, number>> = {};
  const bestSpeeds: Partial<Record<ContenderName, number>> = {};
  const runCounts: TensorBenchRow['runs'] = {};
  for (const { contender, samples, repeats } of entries) {
    speeds[contender.name] = spec.amount / (median(samples) * 1e6);
    bestSpeeds[contender.name] = spec.amount / (Math.min(...samples) * 1e6);
    runCounts[contender.name] = { runs: samples.length, repeats };
  }
  const byName = new Map(entries.map((entry) => [entry.contender.name, entry]));
  return {
    workload: spec.label,
    unit: spec.unit,
    speeds,
    bestSpeeds,
    runs: runCounts,
    chosenBackend: byName.get('chosen')?.prepared.backend ?? '–',
    maxRelDiff: maxRelDiff(entries.map((entry) => entry.product), byName.get('oursWasm')?.product),
  };
}

async function main(): Promise<TensorBenchReport> {
  const params = new URLSearchParams(location.search);
  const sizes = (params.get('sizes') ?? '256,512,1024,2048').split(',').map(Number);
  const runs = Math.max(MIN_RUNS, Number(params.get('runs') ?? 9));
  setWasmPaths(new URL('tfjs/', location.href).href);
  // Both WASM contenders' threads (bench/tensor.ts passes the machine's cores).
  const threads = Number(params.get('threads') ?? navigator.hardwareConcurrency);
  setThreadsCount(threads);
  // Both TF.js backends start here, so neither start-up lands in a timing.
  for (const backend of ['wasm', 'webgpu']) {
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
    await tf.ready();
  }
  const webgpu = await createWebGpuBackend();
  // The matmul configuration a join would pick for this adapter (timed here, not cached).
  await tuneMatmul(webgpu);
  const oursWebgpu = new TensorCore(webgpu);
  const wasmBackend = await loadWasmBackend();
  const oursWasmThreads = await wasmBackend.startThreads(threads);
  const oursWasm = new TensorCore(wasmBackend);
  const selection = await selectTensorBackends();
  // The chosen core as a heavy task gets it (a gang member, a job with `tensor.threads`): every thread.
  const chosenWasm = selection.backends.wasm;
  if (chosenWasm !== undefined && 'startThreads' in chosenWasm) await (chosenWasm as WasmBackend).startThreads(threads);
  const specs = workloads(sizes);
  const multiplyAddsOf = (workload: Workload): number => specs.find((spec) => spec.workload === workload)?.multiplyAdds ?? 0;
  const contenders: Contender[] = [
    coreContender('oursWebgpu', () => oursWebgpu),
    coreContender('oursWasm', () => oursWasm),
    coreContender('chosen', (workload) => selection.coreFor({ multiplyAdds: multiplyAddsOf(workload) })),
    tfjsContender('tfjsWebgpu', 'webgpu'),
    tfjsContender('tfjsWasm', 'wasm'),
    jsLoopContender(),
  ];
  const rows: TensorBenchRow[] = [];
  const output = document.getElementById('results');
  for (const spec of specs) {
    rows.push(await benchWorkload(contenders, spec, runs));
    if (output !== null) output.textContent = formatTable(rows);
    await new Promise((done) => setTimeout(done, 0));
  }
  const { vendor, architecture, description } = webgpu.adapter;
  return {
    ok: true,
    userAgent: navigator.userAgent,
    adapter: [vendor, architecture, description].filter(Boolean).join(' / '),
    tfjsWasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    tfjsWasmThreads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    crossOriginIsolated: globalThis.crossOriginIsolated,
    oursWasmThreads,
    tfjsWasmThreadsCount: getThreadsCount(),
    choice: selection.choice,
    rows,
  };
}

const status = document.getElementById('status');
main().then(
  (report) => {
    window.tensorBench = report;
    if (status !== null) status.textContent = 'done';
  },
  (error: unknown) => {
    window.tensorBench = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    if (status !== null) status.textContent = `failed: ${window.tensorBench.error}`;
  },
);
