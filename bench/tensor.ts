/**
 * Runs the tensor benchmark page (bench/tensor.html, built into dist/bench by
 * `vite build -c bench/vite.config.ts`) in headless Chromium and prints its table: matmul,
 * softmax and sum through our TensorCore (WebGPU, WASM, the backend the join-time selection
 * chooses) against TensorFlow.js's webgpu and wasm backends and plain JS, with the ratios and
 * the issue's goals. The page is served cross-origin isolated, so both WASM contenders (ours and
 * TF.js's) run threaded, on every core.
 *   tsx bench/tensor.ts [--sizes 256,512,1024,2048] [--runs 9] [--json]
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { onIsolatedPage } from './isolated-page.js';
import { type TensorBenchReport, formatGoals, formatTable, goalsOf, ratiosOf } from './tensor-report.js';

const SITE = resolve(import.meta.dirname, '../dist/bench');

async function runPage(query: URLSearchParams): Promise<Extract<TensorBenchReport, { ok: true }>> {
  await readFile(join(SITE, 'tensor.html')).catch((error: unknown) => {
    throw new Error(`${SITE} has no built page: run vite build -c bench/vite.config.ts first`, { cause: error });
  });
  // Isolated (COOP/COEP), as the join page is: both WASM contenders run threaded.
  return onIsolatedPage(SITE, 'tensor.html', query, async (page) => {
    await page.waitForFunction(() => window.tensorBench !== undefined, undefined, { timeout: 30 * 60_000, polling: 1000 });
    const report = (await page.evaluate(() => window.tensorBench)) as TensorBenchReport;
    if (!report.ok) throw new Error(`the benchmark page failed: ${report.error}`);
    return report;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' } } });
  const query = new URLSearchParams({ sizes: values.sizes ?? '256,512,1024,2048', runs: values.runs ?? '9' });
  const report = await runPage(query);
  const goals = goalsOf(report.rows);
  if (values.json === true) {
    const ratios = report.rows.map((row) => ({ workload: row.workload, median: ratiosOf(row), best: ratiosOf(row, 'best') }));
    console.log(JSON.stringify({ ...report, ratios, goals, goalsOnFastestRuns: goalsOf(report.rows, 'best') }, null, 2));
    return;
  }
  const { choice } = report;
  console.log(report.userAgent);
  console.log(`WebGPU adapter: ${report.adapter}; TF.js wasm: SIMD ${report.tfjsWasmSimd}, threads ${report.tfjsWasmThreads}`);
  console.log(`cross-origin isolated: ${report.crossOriginIsolated}; both WASM contenders threaded: ours wasm on ${report.oursWasmThreads} threads, ` +
    `TF.js wasm on ${report.tfjsWasmThreadsCount}; the chosen core runs as a heavy task's does, on every thread (join-time figures: one thread)`);
  console.log(`chosen at join: ${choice.chosen.backend} for a task of ${choice.chosen.taskMultiplyAdds} multiply-adds; by size: ` +
    choice.chosen.bySize.map((range) => `${range.backend} from ${range.fromMultiplyAdds}`).join(', '));
  console.log(`join-time figures: ${choice.figures.map((f) => `${f.backend}@${f.size} ${f.gflops.toFixed(2)}`).join(', ')} GFLOPS`);
  const slow = report.rows.flatMap((row) => Object.entries(row.runs).filter(([, runs]) => runs.runs < (row.runs.oursWasm?.runs ?? 0)).map(([name, runs]) => `${name} on ${row.workload}: ${runs.runs}`));
  console.log(`${report.rows[0]?.runs.oursWasm?.runs ?? '?'} timed runs each after up to 2 warm-ups (fewer where a run takes over 2 s: ${slow.join(', ') || 'none'}); ` +
    'contenders take turns in a rotating order with a 50 ms pause before each; every run reads its result back');
  console.log(`\nGFLOPS or GB/s, median run:\n${formatTable(report.rows)}`);
  console.log(`\nGoals (median runs):\n${formatGoals(goals)}`);
  console.log(`\nGFLOPS or GB/s, fastest run (less swayed by other load):\n${formatTable(report.rows, 'best')}`);
  console.log(`\nGoals (fastest runs):\n${formatGoals(goalsOf(report.rows, 'best'))}`);
}

await main();
