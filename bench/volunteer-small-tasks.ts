/**
 * Part of bench:volunteer — what a tab spends on each task besides the task itself: one real
 * coordinator process, one headless Chromium tab with all its task Web Workers, and an items
 * job of tasks that compute next to nothing (one item each), so that the tab's own work per task
 * (leasing, keeping the lease, the report and the stats in IndexedDB, sending) is what is
 * measured. Answers the tab's tasks per second and the browser's CPU time per task (every
 * Chromium process, from `/proc`): the CPU figure is the one to compare across runs on a shared
 * machine. Needs `npm run build` first. Alone: `npx tsx bench/volunteer-small-tasks.ts`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { Tabgrid } from '../sdk/index.js';
import type { VolunteerStatus } from '../web-worker/page/status.js';
import { CHROMIUM_ARGS, findChromium } from '../e2e/chromium.js';
import { startCoordinatorProcess } from '../e2e/coordinator.js';
import { cpuMicros } from './process-stats.js';

const TASKS = 300;
const CODE = 'export default (item) => item * 2';
const TIMEOUT_MS = 5 * 60_000;

declare const window: { tabgrid?: VolunteerStatus };

/** What {@link measureSmallTasks} answers. */
export interface SmallTasksMeasurement {
  /** Tasks of next to no work one tab finished a second. */
  tabSmallTasksPerSecond: number;
  /** The browser's CPU time (all its processes) per such task, in microseconds. */
  tabCpuMicrosPerSmallTask: number;
}

/** The pids of `root`'s descendants (not `root` itself), from `/proc`. */
async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 1) parents.set(pid, Number(fields[1]));
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [pid, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(pid);
      walk(pid);
    }
  };
  walk(root);
  return found;
}

/** CPU time of every process under this one but `except`, in microseconds, by kind (Chromium's `--type`). */
async function childrenCpuMicros(except: number): Promise<Map<string, number>> {
  const byKind = new Map<string, number>();
  for (const pid of await descendants(process.pid)) {
    if (pid === except) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const kind = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
    byKind.set(kind, (byKind.get(kind) ?? 0) + (await cpuMicros(pid).catch(() => 0)));
  }
  return byKind;
}

const total = (byKind: Map<string, number>): number => [...byKind.values()].reduce((sum, micros) => sum + micros, 0);

async function runJob(grid: Tabgrid, tasks: number): Promise<void> {
  const items = Array.from({ length: tasks }, (_, index) => index);
  const job = await grid.submit({ name: 'small tasks', code: CODE, input: { items, chunkSize: 1 } });
  const { state } = await job.wait({ timeoutMs: TIMEOUT_MS });
  if (state !== 'COMPLETED') throw new Error(`the small-task job ended ${state}`);
}

/**
 * One tab's rate and browser CPU per task for tasks of next to no work, on a coordinator process
 * of its own, after a warm-up job.
 * @example const { tabSmallTasksPerSecond } = await measureSmallTasks(); // e.g. 40
 */
export async function measureSmallTasks(log: (line: string) => void = () => {}): Promise<SmallTasksMeasurement> {
  const coordinator = await startCoordinatorProcess();
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...CHROMIUM_ARGS] });
  try {
    const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 50 });
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(`${coordinator.joinUrl}&tensor=wasm`);
    await page.waitForFunction(() => window.tabgrid?.state === 'connected', undefined, { timeout: 60_000 });
    await page.waitForFunction(() => document.getElementById('tensor')?.textContent !== 'measuring…', undefined, { timeout: 120_000 });
    await runJob(grid, 20);
    const coordinatorPid = coordinator.process.pid ?? -1;
    const cpuBefore = await childrenCpuMicros(coordinatorPid);
    const started = performance.now();
    await runJob(grid, TASKS);
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = await childrenCpuMicros(coordinatorPid);
    const cpu = total(cpuAfter) - total(cpuBefore);
    const kinds = [...cpuAfter].map(([kind, micros]) => `${kind} ${((micros - (cpuBefore.get(kind) ?? 0)) / 1e6).toFixed(2)} s`);
    log(`small tasks: ${TASKS} in ${seconds.toFixed(2)} s, browser CPU ${(cpu / 1e6).toFixed(2)} s (${kinds.join(', ')})`);
    return { tabSmallTasksPerSecond: Number((TASKS / seconds).toFixed(1)), tabCpuMicrosPerSmallTask: Math.round(cpu / TASKS) };
  } finally {
    await browser.close();
    await coordinator.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await measureSmallTasks((line) => console.error(line))));
}
