// The threaded WASM benchmark page, served cross-origin isolated: one n×n·n×n matmul on our
// WASM backend with every thread, with one thread, and on TensorFlow.js's wasm backend with its
// threads (its threaded-SIMD binary, which it picks on an isolated page), on the same inputs,
// result read back every run. Contenders take turns, one run each a round, after a warm-up.
// Query: ?n=2048&runs=7&threads=2 (threads: both contenders', by default the cores the browser
// reports). The report lands in `window.wasmThreadsBench`.
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { TensorCore, createRandom, randomValues } from '../shared/tensor/index.js';
import { loadWasmBackend } from '../web-worker/tensor/wasm-backend/index.js';
import { maxRelDiff, median } from './samples.js';

/** What the page measured: median and fastest milliseconds of one product, by contender. */
export interface WasmThreadsBenchReport {
  readonly ok: true;
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly n: number;
  readonly runs: number;
  /** `navigator.hardwareConcurrency` as the page saw it. */
  readonly cores: number;
  /** Threads our threaded contender used, and TF.js's. */
  readonly oursThreads: number;
  readonly tfjsThreads: number;
  readonly tfjsMultithread: boolean;
  readonly medianMs: Readonly<Record<WasmContender, number>>;
  readonly bestMs: Readonly<Record<WasmContender, number>>;
  /** Largest |contender − ours threaded| over the largest |ours threaded|. */
  readonly maxRelDiff: number;
}

export type WasmContender = 'oursThreaded' | 'oursSingle' | 'tfjsThreaded';

declare global {
  interface Window {
    wasmThreadsBench?: WasmThreadsBenchReport | { ok: false; error: string };
  }
}

interface Entry {
  readonly name: WasmContender;
  readonly run: () => Promise<Float32Array>;
  readonly samples: number[];
  product?: Float32Array;
}

async function timeOnce(entry: Entry): Promise<number> {
  const start = performance.now();
  entry.product = await entry.run();
  return performance.now() - start;
}

async function main(): Promise<WasmThreadsBenchReport> {
  const params = new URLSearchParams(location.search);
  const n = Number(params.get('n') ?? 2048);
  const runs = Math.max(3, Number(params.get('runs') ?? 7));
  const cores = navigator.hardwareConcurrency;
  const threads = Number(params.get('threads') ?? cores);
  setWasmPaths(new URL('tfjs/', location.href).href);
  setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  await tf.ready();

  const backend = await loadWasmBackend();
  const oursThreads = await backend.startThreads(threads);
  const core = new TensorCore(backend);
  const random = createRandom(n);
  const [aValues, bValues] = [randomValues(random, n * n), randomValues(random, n * n)];
  const [a, b] = [core.tensor(aValues, [n, n]), core.tensor(bValues, [n, n])];
  const [ta, tb] = [tf.tensor(aValues, [n, n]), tf.tensor(bValues, [n, n])];
  const ours = (threads: number) => async (): Promise<Float32Array> => {
    backend.threads = threads;
    const c = core.matmul(a, b);
    const values = await c.data();
    c.dispose();
    return values;
  };
  const entries: Entry[] = [
    { name: 'oursThreaded', run: ours(oursThreads), samples: [] },
    { name: 'oursSingle', run: ours(1), samples: [] },
    {
      name: 'tfjsThreaded',
      samples: [],
      async run() {
        const c = tf.matMul(ta, tb);
        const values = (await c.data()) as Float32Array;
        c.dispose();
        return values;
      },
    },
  ];
  for (const entry of entries) await timeOnce(entry);
  for (let round = 0; round < runs; round++) {
    // Each round starts with the next contender, so none always follows the same one.
    for (let turn = 0; turn < entries.length; turn++) {
      const entry = entries[(round + turn) % entries.length]!;
      entry.samples.push(await timeOnce(entry));
    }
  }
  [a, b].forEach((tensor) => tensor.dispose());
  tf.dispose([ta, tb]);
  const byName = <T>(pick: (entry: Entry) => T): Record<WasmContender, T> =>
    Object.fromEntries(entries.map((entry) => [entry.name, pick(entry)])) as Record<WasmContender, T>;
  return {
    ok: true,
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    n,
    runs,
    cores,
    oursThreads,
    tfjsThreads: getThreadsCount(),
    tfjsMultithread: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
    medianMs: byName((entry) => median(entry.samples)),
    bestMs: byName((entry) => Math.min(...entry.samples)),
    maxRelDiff: maxRelDiff(entries.map((entry) => entry.product), entries[0]!.product),
  };
}

const status = document.getElementById('status');
main().then(
  (report) => {
    window.wasmThreadsBench = report;
    if (status !== null) status.textContent = 'done';
  },
  (error: unknown) => {
    window.wasmThreadsBench = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    if (status !== null) status.textContent = `failed: ${window.wasmThreadsBench.error}`;
  },
);
