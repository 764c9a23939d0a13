/**
 * The threaded WASM part of the volunteer benchmark: on one cross-origin isolated headless
 * Chromium page (bench/volunteer-wasm.html, served with COOP/COEP), our WASM matmul at 2048³ with
 * every thread against one thread, and against TensorFlow.js's wasm backend with its threads
 * (`setThreadsCount(cores)`; it picks its threaded-SIMD binary on an isolated page). Ratios of
 * median times, runs taking turns. Builds the bench pages first when they are missing.
 *   tsx bench/volunteer-wasm.ts [--n 2048] [--runs 7]   (prints the JSON; details on stderr)
 */
import { execFileSync } from 'node:child_process';
import { access } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { onIsolatedPage } from './isolated-page.js';
import type { WasmThreadsBenchReport } from './volunteer-wasm-page.js';

const SITE = resolve(import.meta.dirname, '../dist/bench');
const PAGE = 'volunteer-wasm.html';

/** The two ratios the volunteer benchmark reports. */
export interface WasmThreadsRatios {
  /** Our threaded matmul's speed over our single thread's, at 2048³. */
  wasmThreadedOverSingle2048: number;
  /** Our threaded matmul's speed over TensorFlow.js wasm with threads, at 2048³. */
  wasmThreadedOverTfjsThreaded2048: number;
}

/** Options of {@link runWasmThreadsBench}. */
export interface WasmThreadsBenchOptions {
  /** @default 2048 */
  readonly n?: number;
  /** Timed runs of each contender. @default 7 */
  readonly runs?: number;
}

/** Builds the WASM kernels and the bench pages (as `npm run bench:tensor` does) unless the page is there. */
async function ensureBuilt(): Promise<void> {
  if (await access(join(SITE, PAGE)).then(() => true, () => false)) return;
  const cwd = resolve(import.meta.dirname, '..');
  execFileSync('npm', ['run', 'build:wasm', '--silent'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('npx', ['vite', 'build', '-c', 'bench/vite.config.ts', '--logLevel', 'error'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Runs the page and returns everything it measured (median and fastest ms per contender).
 * @example const report = await runWasmThreadsBench({ runs: 5 });
 */
export async function runWasmThreadsBench(options: WasmThreadsBenchOptions = {}): Promise<WasmThreadsBenchReport> {
  await ensureBuilt();
  const cores = availableParallelism();
  const query = new URLSearchParams({ n: String(options.n ?? 2048), runs: String(options.runs ?? 7) });
  return onIsolatedPage(SITE, PAGE, query, async (page) => {
    await page.waitForFunction(() => window.wasmThreadsBench !== undefined, undefined, { timeout: 20 * 60_000, polling: 500 });
    const report = await page.evaluate(() => window.wasmThreadsBench);
    if (report?.ok !== true) throw new Error(`the threaded WASM benchmark page failed: ${report?.ok === false ? report.error : 'no report'}`);
    if (!report.crossOriginIsolated || report.oursThreads !== cores || report.tfjsThreads !== cores) {
      throw new Error(`the page did not run both on ${cores} threads: isolated ${report.crossOriginIsolated}, ours ${report.oursThreads}, TF.js ${report.tfjsThreads}`);
    }
    return report;
  });
}

/** The two ratios from a report: speeds as ratios of median times. */
export function wasmThreadsRatios(report: WasmThreadsBenchReport): WasmThreadsRatios {
  const { oursThreaded, oursSingle, tfjsThreaded } = report.medianMs;
  return { wasmThreadedOverSingle2048: oursSingle / oursThreaded, wasmThreadedOverTfjsThreaded2048: tfjsThreaded / oursThreaded };
}

/**
 * Our threaded WASM matmul at 2048³ over our single thread, and over TensorFlow.js wasm with
 * threads, on one isolated page (see the file's comment).
 * @example const { wasmThreadedOverSingle2048 } = await measureWasmThreads(); // ≈ 1.8 on 2 cores
 */
export async function measureWasmThreads(): Promise<WasmThreadsRatios> {
  return wasmThreadsRatios(await runWasmThreadsBench());
}

/** A line about a report, for people: GFLOPS of each contender and the load it ran under. */
export function describeWasmThreadsBench(report: WasmThreadsBenchReport, load: readonly number[]): string {
  const gflops = (ms: number): string => ((2 * report.n ** 3) / (ms * 1e6)).toFixed(1);
  const { medianMs: median, bestMs: best } = report;
  return `${report.n}³ matmul, ${report.runs} runs each, readback included, ${availableParallelism()} cores; ` +
    `GFLOPS median (fastest): ours ${report.oursThreads} threads ${gflops(median.oursThreaded)} (${gflops(best.oursThreaded)}), ` +
    `ours 1 thread ${gflops(median.oursSingle)} (${gflops(best.oursSingle)}), ` +
    `TF.js wasm ${report.tfjsThreads} threads ${gflops(median.tfjsThreaded)} (${gflops(best.tfjsThreaded)}); ` +
    `max rel. diff ${report.maxRelDiff.toExponential(1)}; load average before ${load.map((value) => value.toFixed(2)).join(' ')}`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { n: { type: 'string' }, runs: { type: 'string' } } });
  const load = loadavg();
  const report = await runWasmThreadsBench({ n: Number(values.n ?? 2048), runs: Number(values.runs ?? 7) });
  console.error(describeWasmThreadsBench(report, load));
  console.log(JSON.stringify(wasmThreadsRatios(report)));
}
