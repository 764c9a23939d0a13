// The benchmark page: f32 matmul GFLOPS of tabgrid's WASM SIMD kernels (both builds),
// TensorFlow.js's wasm backend (XNNPACK) and a plain JS i-k-j loop, on the same inputs, one
// thread each. Query: ?sizes=256,512,1024,2048&runs=7&jsloop=1 (jsloop=0 skips the slow loop).
// The report lands in `window.matmulBench` and in a table on the page.
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { loadBundledWasmKernels } from '../web-worker/tensor/wasm/bundled.js';
import { supportsRelaxedSimd, type WasmKernels } from '../web-worker/tensor/wasm/index.js';

/** What is timed: our two builds with inputs resident, our best build copying in and out, TF.js. */
export type Contender = 'relaxed' | 'simd' | 'copyInOut' | 'tfjs';

/** One size's results, in GFLOPS (2n³ / time); contenders the browser cannot run are absent. */
export interface MatmulBenchRow {
  n: number;
  /** From the median run (a run is `repeats` back-to-back products, timed together). */
  median: Partial<Record<Contender, number>>;
  /** From the fastest run: less sensitive to other load on the machine. */
  best: Partial<Record<Contender, number>>;
  /** Plain JS i-k-j loop over Float32Arrays (median); absent with ?jsloop=0. */
  jsLoop?: number;
  /** Largest |ours − TF.js| over the largest |TF.js|, worst of our builds: did both compute the same product? */
  maxRelDiff: number;
  runs: number;
  repeats: number;
  jsRuns: number;
}

export type MatmulBenchReport =
  | { ok: true; userAgent: string; tfjsSimd: boolean; tfjsThreads: boolean; relaxedSimd: boolean; rows: MatmulBenchRow[] }
  | { ok: false; error: string };

declare global {
  interface Window {
    matmulBench?: MatmulBenchReport;
  }
}

const WARMUP = 2;

function median(samples: number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function gflops(n: number, ms: number): number {
  return (2 * n ** 3) / (ms * 1e6);
}

// performance.now() is coarsened to 0.1 ms without cross-origin isolation, so small sizes
// repeat each timed run until it lasts well over that; every contender repeats alike.
const MIN_FLOP_PER_SAMPLE = 1e9;

function timed(run: () => void, repeats = 1): number {
  const start = performance.now();
  for (let i = 0; i < repeats; i++) run();
  return (performance.now() - start) / repeats;
}

function randomMatrix(n: number): Float32Array {
  return Float32Array.from({ length: n * n }, () => Math.random() * 2 - 1);
}

function jsLoopMatmul(a: Float32Array, b: Float32Array, n: number): Float32Array {
  const c = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const av = a[i * n + p] as number;
      const bRow = p * n;
      const cRow = i * n;
      for (let j = 0; j < n; j++) c[cRow + j] = (c[cRow + j] as number) + av * (b[bRow + j] as number);
    }
  }
  return c;
}

function maxRelDiff(ours: Float32Array, theirs: Float32Array): number {
  let diff = 0;
  let scale = 0;
  theirs.forEach((value, i) => {
    diff = Math.max(diff, Math.abs((ours[i] as number) - value));
    scale = Math.max(scale, Math.abs(value));
  });
  return diff / scale;
}

// One run of each contender, returning the product it read back.
type Runner = () => Float32Array;

function residentRunner(kernels: WasmKernels, a: Float32Array, b: Float32Array, n: number): { run: Runner; release: () => void } {
  const buffers = [kernels.alloc(n * n), kernels.alloc(n * n), kernels.alloc(n * n)] as const;
  const [ra, rb, rc] = buffers;
  kernels.write(ra, a);
  kernels.write(rb, b);
  return {
    run: () => {
      kernels.matmul(ra, rb, rc, { m: n, k: n, n });
      return kernels.read(rc);
    },
    release: () => buffers.forEach((buffer) => kernels.free(buffer)),
  };
}

// The contenders take turns within each round, so load from elsewhere on the machine falls
// on all of them alike.
function benchSize(builds: Partial<Record<'relaxed' | 'simd', WasmKernels>>, n: number, runs: number, jsRuns: number): MatmulBenchRow {
  const a = randomMatrix(n);
  const b = randomMatrix(n);
  const ta = tf.tensor2d(a, [n, n]);
  const tb = tf.tensor2d(b, [n, n]);
  const resident = Object.entries(builds).map(([name, kernels]) => ({ name: name as Contender, ...residentRunner(kernels, a, b, n) }));
  const preferred = builds.relaxed ?? builds.simd;
  if (preferred === undefined) throw new Error('no build of our kernels loaded');
  const runners: { name: Contender; run: Runner }[] = [
    ...resident,
    { name: 'copyInOut', run: () => preferred.arrays.matmul(a, b, { m: n, k: n, n }) },
    {
      name: 'tfjs',
      run: () => {
        const product = tf.matMul(ta, tb);
        const values = product.dataSync() as Float32Array;
        product.dispose();
        return values;
      },
    },
  ];
  const repeats = Math.ceil(MIN_FLOP_PER_SAMPLE / (2 * n ** 3));
  const samples = new Map<Contender, number[]>(runners.map(({ name }) => [name, []]));
  const products = new Map<Contender, Float32Array>();
  for (let round = 0; round < WARMUP + runs; round++) {
    for (const { name, run } of runners) {
      const ms = timed(() => products.set(name, run()), repeats);
      if (round >= WARMUP) samples.get(name)?.push(ms);
    }
  }
  tf.dispose([ta, tb]);
  resident.forEach(({ release }) => release());
  const theirs = products.get('tfjs') ?? new Float32Array(0);
  const jsTimes = Array.from({ length: jsRuns }, () => timed(() => void jsLoopMatmul(a, b, n)));
  const row: MatmulBenchRow = {
    n, median: {}, best: {}, runs, repeats, jsRuns,
    ...(jsRuns > 0 ? { jsLoop: gflops(n, median(jsTimes)) } : {}),
    maxRelDiff: Math.max(...resident.map(({ name }) => maxRelDiff(products.get(name) ?? theirs, theirs))),
  };
  for (const [name, times] of samples) {
    row.median[name] = gflops(n, median(times));
    row.best[name] = gflops(n, Math.min(...times));
  }
  return row;
}

function render(rows: MatmulBenchRow[]): void {
  const table = document.getElementById('results');
  if (table === null) return;
  const cell = (value: number | undefined): string => `<td>${value === undefined ? '–' : value.toFixed(1)}</td>`;
  const header = '<tr><th>n</th><th>ours, relaxed SIMD</th><th>ours, SIMD128</th><th>ours, copy in+out</th><th>TF.js wasm</th><th>JS loop</th></tr>';
  table.innerHTML = header + rows.map((row) => `<tr><td>${row.n}</td>${cell(row.median.relaxed)}${cell(row.median.simd)}` +
    `${cell(row.median.copyInOut)}${cell(row.median.tfjs)}${cell(row.jsLoop)}</tr>`).join('');
}

async function main(): Promise<MatmulBenchReport> {
  const params = new URLSearchParams(location.search);
  const sizes = (params.get('sizes') ?? '256,512,1024,2048').split(',').map(Number);
  const runs = Math.max(5, Number(params.get('runs') ?? 7));
  const withJsLoop = params.get('jsloop') !== '0';
  setWasmPaths(new URL('tfjs/', location.href).href);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  await tf.ready();
  const relaxedSimd = supportsRelaxedSimd();
  const builds = {
    simd: await loadBundledWasmKernels('simd'),
    ...(relaxedSimd ? { relaxed: await loadBundledWasmKernels('relaxed') } : {}),
  };
  const rows: MatmulBenchRow[] = [];
  for (const n of sizes) {
    // The JS loop at 2048 takes seconds a run; three runs tell its speed well enough.
    rows.push(benchSize(builds, n, runs, !withJsLoop ? 0 : n >= 2048 ? 3 : 5));
    render(rows);
    // Let the page paint and the runner see progress between sizes.
    await new Promise((done) => setTimeout(done, 0));
  }
  return {
    ok: true, userAgent: navigator.userAgent, rows, relaxedSimd,
    tfjsSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    tfjsThreads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

const status = document.getElementById('status');
main().then(
  (report) => {
    window.matmulBench = report;
    if (status !== null) status.textContent = 'done';
  },
  (error: unknown) => {
    window.matmulBench = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    if (status !== null) status.textContent = `failed: ${window.matmulBench.error}`;
  },
);
