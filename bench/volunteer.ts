/**
 * `npm run bench:volunteer [-- --json]`: what a volunteer's whole machine gives, in headless
 * Chromium on this machine. A CPU-bound items job on one tab with all its task workers against the
 * same tab with one (`volunteer-cores.ts`), and our threaded WASM matmul at 2048³ against our single
 * thread and against TensorFlow.js wasm with threads on the same cross-origin isolated page
 * (`volunteer-wasm.ts`), each pair side by side in one run. Prints a table, and with `--json` one
 * JSON object on the last line:
 * `{ "cores", "tabAllCoresOverOneWorker", "browserAllCoresOverOneWorker", "wasmThreadedOverSingle2048",
 * "wasmThreadedOverTfjsThreaded2048", "tabSmallTasksPerSecond", "tabCpuMicrosPerSmallTask", "loadAverage" }`.
 * Goals on a 2-core machine: ≥ 1.8, ≥ 1.7, ≥ 1.0. The last two are what a tab spends on each task
 * besides the task (`volunteer-small-tasks.ts`): no goal, a figure to keep down.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { measureCores } from './volunteer-cores.js';
import { measureSmallTasks } from './volunteer-small-tasks.js';
import { measureWasmThreads } from './volunteer-wasm.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });
const loadBefore = loadavg();
const cores = await measureCores((line) => console.error(line));
const wasm = await measureWasmThreads();
const small = await measureSmallTasks((line) => console.error(line));
const loadAverage = [loadBefore[0]!, loadavg()[0]!].map((value) => Number(value.toFixed(2)));
const report = { ...cores, ...wasm, ...small, loadAverage };

const rows: [string, number, number][] = [
  ['tab, all task workers / one worker', cores.tabAllCoresOverOneWorker, 1.8],
  ['WASM matmul 2048³, threaded / one thread', wasm.wasmThreadedOverSingle2048, 1.7],
  ['WASM matmul 2048³, ours threaded / TF.js wasm threaded', wasm.wasmThreadedOverTfjsThreaded2048, 1.0],
];
console.log(`cores: ${cores.cores}; load average (1 min) before → after: ${loadAverage.join(' → ')}`);
for (const [what, ratio, goal] of rows) console.log(`${what.padEnd(58)} ${ratio.toFixed(2).padStart(6)}   goal ≥ ${goal} ${ratio >= goal ? 'met' : 'NOT met'}`);
console.log(`${'the browser alone, plain Web Workers, all / one (the ceiling)'.padEnd(58)} ${cores.browserAllCoresOverOneWorker.toFixed(2).padStart(6)}`);
console.log(`${'tab, tasks of next to no work a second'.padEnd(58)} ${small.tabSmallTasksPerSecond.toFixed(1).padStart(6)}`);
console.log(`${'browser CPU per such task (ms)'.padEnd(58)} ${(small.tabCpuMicrosPerSmallTask / 1000).toFixed(1).padStart(6)}`);
if (values.json) console.log(JSON.stringify(report));
