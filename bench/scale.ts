/**
 * `npm run bench:scale [-- --sizes 10000,100000,1000000 --workers 32 --reader-pause-ms 50 --json]`
 *
 * What the coordinator's costs grow with. One coordinator process (embedded SQLite, started
 * afresh for each figure so its peak memory is that figure's) and N protocol workers over real
 * sockets running no-op tasks, as `bench:dispatch`:
 * - runs: one job of each size: seconds to submit it, tasks/s, the coordinator's own CPU time per
 *   task (from /proc, submit included; the coordinator first runs a 20,000-task warm-up job, whose
 *   own figure, start-up included, is shown beside it), its peak RSS, and p99 of a job status read
 *   and a job list read made every 100 ms while the job runs;
 * - manyJobs: 20,000 tasks as 1,000 jobs against the same as 10 jobs (tasks/s ratio);
 * - readers: a 20,000-task job with 4 REST readers polling status and list (each waiting
 *   `--reader-pause-ms` between reads, 50 by default; 0 is a tight loop), against none.
 * - each run's bareMicrosPerTask: the CPU per task of a bare WebSocket server (`bare-server.ts`)
 *   answering the same workers' asks and results with nothing behind it, measured right after the
 *   run: the floor of socket and JSON work under the coordinator's figure, and `overBare`, the
 *   coordinator's figure as a multiple of it (the ratio holds still where the machine does not).
 * With `--json`, one JSON object on the last line.
 */
import { parseArgs } from 'node:util';
import { JobPage, jobPagePath } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import { startCoordinatorProcess, type CoordinatorProcess } from '../e2e/coordinator.js';
import { bareMicrosPerTask as bareFloor } from './bare-reference.js';
import { connectBenchWorkers, type BenchWorker } from './dispatch-worker.js';
import { cpuMicros, peakRssMb } from './process-stats.js';
import { RestReaders } from './readers.js';
import { percentile, table } from './stats.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    workers: { type: 'string', default: '32' },
    'reader-pause-ms': { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const workerCount = Number(values.workers);
/** How long each of the 4 readers waits between its status and list reads: 50 ms is a busy dashboard (160 reads/s in all); 0 is a tight loop. */
const readerPauseMs = Number(values['reader-pause-ms']);
const NOOP = 'export default () => null';

interface Grid {
  coordinator: CoordinatorProcess;
  pid: number;
  workers: BenchWorker[];
  client: Tabgrid;
}

/** Runs `work` on a fresh coordinator with connected workers, then stops them all. */
async function onFreshGrid<T>(work: (grid: Grid) => Promise<T>): Promise<T> {
  // The spec limits stand aside: this measures what a job of any size costs.
  const coordinator = await startCoordinatorProcess({ args: ['--max-tasks', '10000000', '--max-items', '10000000'] });
  try {
    const workers = await connectBenchWorkers(coordinator.joinUrl, workerCount);
    const client = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 50 });
    try {
      return await work({ coordinator, pid: coordinator.process.pid!, workers, client });
    } catch (error) {
      // What the coordinator said last is the first thing to read when a figure could not be made.
      console.error(`the coordinator's last output:\n${coordinator.output().slice(-4000)}`);
      throw error;
    } finally {
      for (const worker of workers) worker.close();
    }
  } finally {
    await coordinator.stop();
  }
}

/** Starts the workers, waits until `ended` says so, stops them; answers the seconds it took and the ask → lease p99. */
async function work(grid: Grid, ended: () => Promise<unknown>): Promise<{ seconds: number; askToLeaseP99Ms: number }> {
  for (const worker of grid.workers) worker.latenciesMs.length = 0;
  const started = performance.now();
  for (const worker of grid.workers) worker.start();
  await ended();
  const seconds = (performance.now() - started) / 1000;
  for (const worker of grid.workers) worker.stop();
  const latencies = grid.workers.flatMap((worker) => worker.latenciesMs).sort((a, b) => a - b);
  return { seconds, askToLeaseP99Ms: round(percentile(latencies, 0.99)) };
}

/**
 * Tasks of the job each fresh coordinator runs before the measured one: start-up work (the JIT
 * compiling the hot paths) is not a cost per task of a coordinator that runs for days. With 2,000,
 * three 10k jobs in a row on one coordinator cost 100, 84 and 71 µs a task: the JIT was not done.
 */
const WARM_UP_TASKS = 20_000;

async function oneJob(items: number, readerCount: number, pauseMs: number) {
  return onFreshGrid(async (grid) => {
    const coldBefore = await cpuMicros(grid.pid);
    const warmUp = await grid.client.submit({ name: 'warm-up', code: NOOP, input: { items: new Array<null>(WARM_UP_TASKS).fill(null), chunkSize: 1 } });
    await work(grid, () => warmUp.wait({ timeoutMs: 600_000 }));
    const cpuBefore = await cpuMicros(grid.pid);
    const submitStarted = performance.now();
    const job = await grid.client.submit({ name: `scale ${items}`, code: NOOP, input: { items: new Array<null>(items).fill(null), chunkSize: 1 } });
    const submitSeconds = (performance.now() - submitStarted) / 1000;
    const readers = readerCount > 0 ? new RestReaders(grid.coordinator.url, grid.coordinator.adminToken, job.id, readerCount, pauseMs) : undefined;
    const { seconds, askToLeaseP99Ms } = await work(grid, () => job.wait({ timeoutMs: 3_600_000 }));
    const reads = await readers?.stop();
    const cpu = (await cpuMicros(grid.pid)) - cpuBefore;
    return {
      items,
      submitSeconds: round(submitSeconds),
      tasksPerSecond: round(items / seconds),
      cpuMicrosPerTask: round(cpu / items),
      warmUpCpuMicrosPerTask: round((cpuBefore - coldBefore) / WARM_UP_TASKS),
      rssPeakMb: round(await peakRssMb(grid.pid)),
      statusP99Ms: reads?.statusP99Ms ?? NaN,
      listP99Ms: reads?.listP99Ms ?? NaN,
      askToLeaseP99Ms,
    };
  });
}

async function manyJobs(jobs: number, tasks: number): Promise<number> {
  return onFreshGrid(async (grid) => {
    const per = tasks / jobs;
    for (let n = 0; n < jobs; n++) {
      await grid.client.submit({ name: `many ${n}`, code: NOOP, input: { items: new Array<null>(per).fill(null), chunkSize: 1 } });
    }
    // Whether any job is still live, from a one-job page: the bench's own polling must not cost what a list of 1,000 does.
    const anyLive = async (): Promise<boolean> => {
      const response = await fetch(`${grid.coordinator.url}${jobPagePath({ state: ['PENDING', 'RUNNING'], limit: 1 })}`, {
        headers: { authorization: `Bearer ${grid.coordinator.adminToken}` },
      });
      return JobPage.parse(await response.json()).jobs.length > 0;
    };
    const live = async (): Promise<void> => {
      while (await anyLive()) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    return round(tasks / (await work(grid, live)).seconds);
  });
}

const runs = [];
for (const items of sizes) {
  const run = await oneJob(items, 1, 100);
  // Right after, so that both figures see the same machine: this one's speed moves by half within minutes.
  const bareMicrosPerTask = round(await bareFloor(20_000, workerCount));
  runs.push({ ...run, bareMicrosPerTask, overBare: round(run.cpuMicrosPerTask / bareMicrosPerTask) });
}
const many = { jobs: 1000, tasksPerSecond: await manyJobs(1000, 20_000), ratioTo10Jobs: NaN };
many.ratioTo10Jobs = round(many.tasksPerSecond / (await manyJobs(10, 20_000)));
const alone = await oneJob(20_000, 0, 0);
const withReaders = await oneJob(20_000, 4, readerPauseMs);
const readers = { tasksPerSecond: withReaders.tasksPerSecond, ratioToNoReaders: round(withReaders.tasksPerSecond / alone.tasksPerSecond), askToLeaseP99Ms: withReaders.askToLeaseP99Ms };

console.log(
  table(
    ['items', 'submit s', 'tasks/s', 'CPU µs/task', 'bare µs/task', '÷ bare', 'warm-up CPU µs/task', 'peak RSS MB', 'status p99 ms', 'list p99 ms', 'ask→lease p99 ms'],
    runs.map((run) => [
      run.items,
      run.submitSeconds,
      run.tasksPerSecond,
      run.cpuMicrosPerTask,
      run.bareMicrosPerTask,
      run.overBare,
      run.warmUpCpuMicrosPerTask,
      run.rssPeakMb,
      run.statusP99Ms,
      run.listP99Ms,
      run.askToLeaseP99Ms,
    ]),
  ),
);
console.log('bare: a WebSocket server answering the same workers with nothing behind it (the floor of frames and JSON), measured right after each run');
console.log(`many jobs: ${many.tasksPerSecond} tasks/s over 1000 jobs, ${many.ratioTo10Jobs} of 10 jobs (goal ≥ 0.8)`);
console.log(`4 REST readers (${readerPauseMs} ms between reads): ${readers.tasksPerSecond} tasks/s, ${readers.ratioToNoReaders} of none (goal ≥ 0.8), ask→lease p99 ${readers.askToLeaseP99Ms} ms`);
console.log('goals: CPU ≤ 60 µs/task at every size; status and list p99 at 1M within 2× of 10k; submit 1M ≤ 10 s; peak RSS at 1M ≤ 400 MB');
if (values.json) {
  console.log(JSON.stringify({ runs: runs.map(({ askToLeaseP99Ms: _, ...run }) => run), manyJobs: many, readers }));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
