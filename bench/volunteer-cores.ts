/**
 * Part of bench:volunteer — what a tab's every core gives: one real coordinator process, one
 * headless Chromium tab, and a CPU-bound items job (64 tasks of about 150 ms of integer
 * arithmetic each, a fixed amount of work, not a fixed time) run on the tab limited to one task
 * Web Worker (the join address's `workers=1`) and on the same tab with all of its workers (one
 * per core at the default 100 % limit), in turns: one, all, all, one. Each run is the job's wall
 * time as the SDK sees it (submit to `wait()`), after a warm-up job on a freshly opened tab
 * whose tensor measurement has ended; the ratio is the mean time with one worker over the mean
 * time with all. Beside it, the browser's own ratio for the same loops in plain Web Workers: the
 * ceiling the tab's ratio is read against. The browser has no Compute Pressure API (see `CHROMIUM_ARGS`): the tab would
 * read this shared machine's other load as pressure and back off.
 * Needs `npm run build` first. Alone: `npx tsx bench/volunteer-cores.ts` prints the JSON (and the
 * times on stderr).
 */
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { Tabgrid } from '../sdk/index.js';
import type { VolunteerStatus } from '../web-worker/page/status.js';
import { CHROMIUM_ARGS, findChromium } from '../e2e/chromium.js';
import { startCoordinatorProcess, type CoordinatorProcess } from '../e2e/coordinator.js';

const TASKS = 64;
/** About 150 ms of one core here (1 to 2 ns an iteration). */
const ITERATIONS = 100_000_000;
const CODE = `export default (seed) => {
  let x = seed | 0;
  for (let i = 0; i < ${ITERATIONS}; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x;
}`;
const TIMEOUT_MS = 10 * 60_000;

declare const window: { tabgrid?: VolunteerStatus };

/** What {@link measureCores} answers. */
export interface CoresMeasurement {
  /** The task Web Workers the tab ran with all of them: its cores. */
  cores: number;
  /** Mean job time with one worker over mean job time with all. */
  tabAllCoresOverOneWorker: number;
  /**
   * The same ratio for the browser alone, the ceiling of the one above: the job's loop run
   * `TASKS` times in one plain Web Worker against split over `cores` of them, on a blank page of
   * the same browser (one, all, all, one).
   */
  browserAllCoresOverOneWorker: number;
}

/** One timed run: the job's seconds on a tab with `workers` task Web Workers. */
interface TimedRun {
  workers: number;
  seconds: number;
}

/** Opens a tab at `address`, runs a warm-up job and the timed job on it, closes it. */
async function timeJob(browser: Browser, grid: Tabgrid, address: string): Promise<TimedRun> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(address);
    await page.waitForFunction(() => window.tabgrid?.state === 'connected', undefined, { timeout: 60_000 });
    // The first task worker measures the tensor backends at start: not while timing.
    await page.waitForFunction(() => document.getElementById('tensor')?.textContent !== 'measuring…', undefined, { timeout: 120_000 });
    const workers = (await page.evaluate(() => window.tabgrid?.workers)) ?? 1;
    await runJob(grid, 'warm-up', workers * 2);
    const started = performance.now();
    await runJob(grid, 'timed', TASKS);
    return { workers, seconds: (performance.now() - started) / 1000 };
  } finally {
    await context.close();
  }
}

async function runJob(grid: Tabgrid, name: string, tasks: number): Promise<void> {
  const items = Array.from({ length: tasks }, (_, index) => index + 1);
  const job = await grid.submit({ name: `cores ${name}`, code: CODE, input: { items, chunkSize: 1 } });
  const { state } = await job.wait({ timeoutMs: TIMEOUT_MS });
  if (state !== 'COMPLETED') throw new Error(`the ${name} job ended ${state}`);
}

const mean = (runs: TimedRun[]): number => runs.reduce((sum, run) => sum + run.seconds, 0) / runs.length;

/** Seconds the browser takes for the job's `TASKS` loops spread over `workers` plain Web Workers. */
async function timePlainWorkers(browser: Browser, workers: number): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ workers, tasks, iterations }) => {
        const source = `onmessage = (event) => { let sum = 0; for (let task = 0; task < event.data; task++) { let x = task | 0; for (let i = 0; i < ${iterations}; i++) x = (Math.imul(x, 1103515245) + 12345) | 0; sum += x & 1; } postMessage(sum); }`;
        const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
        const pool = Array.from({ length: workers }, () => new Worker(url));
        const started = performance.now();
        await Promise.all(pool.map((worker, at) => new Promise((resolve) => {
          worker.onmessage = resolve;
          worker.postMessage(Math.floor(tasks / workers) + (at < tasks % workers ? 1 : 0));
        })));
        const seconds = (performance.now() - started) / 1000;
        for (const worker of pool) worker.terminate();
        return seconds;
      },
      { workers, tasks: TASKS, iterations: ITERATIONS },
    );
  } finally {
    await page.close();
  }
}

/** {@link CoresMeasurement.browserAllCoresOverOneWorker} for `cores` workers. */
async function browserCeiling(browser: Browser, cores: number, log: (line: string) => void): Promise<number> {
  const one: number[] = [];
  const all: number[] = [];
  for (const workers of [1, cores, cores, 1]) {
    const seconds = await timePlainWorkers(browser, workers);
    (workers === 1 ? one : all).push(seconds);
    log(`the browser alone, ${workers} plain Web Worker${workers === 1 ? '' : 's'}: ${seconds.toFixed(2)} s`);
  }
  const average = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  return Number((average(one) / average(all)).toFixed(3));
}

async function measureOn(coordinator: CoordinatorProcess, log: (line: string) => void): Promise<CoresMeasurement> {
  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 50 });
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] });
  try {
    const one: TimedRun[] = [];
    const all: TimedRun[] = [];
    for (const mode of ['one', 'all', 'all', 'one'] as const) {
      const run = await timeJob(browser, grid, mode === 'one' ? `${coordinator.joinUrl}&workers=1` : coordinator.joinUrl);
      (mode === 'one' ? one : all).push(run);
      log(`${mode === 'one' ? 'one worker' : 'all workers'} (${run.workers}): ${run.seconds.toFixed(2)} s for ${TASKS} tasks`);
    }
    const cores = all[0]!.workers;
    return { cores, tabAllCoresOverOneWorker: Number((mean(one) / mean(all)).toFixed(3)), browserAllCoresOverOneWorker: await browserCeiling(browser, cores, log) };
  } finally {
    await browser.close();
  }
}

/**
 * A tab's job time with one task Web Worker over the same tab's with all of them, on a
 * coordinator process of its own.
 * @example const { cores, tabAllCoresOverOneWorker } = await measureCores(); // { cores: 2, tabAllCoresOverOneWorker: 1.9 }
 */
export async function measureCores(log: (line: string) => void = () => {}): Promise<CoresMeasurement> {
  const coordinator = await startCoordinatorProcess();
  try {
    return await measureOn(coordinator, log);
  } finally {
    await coordinator.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureCores((line) => console.error(line))));
}
