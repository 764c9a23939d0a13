/**
 * `npm run bench:dispatch [-- --workers 32 --tasks 20000 --json]`
 *
 * One coordinator process (embedded SQLite) and N benchmark workers over real sockets on
 * loopback, running no-op tasks. Prints tasks per second and the ask → lease latency.
 */
import { parseArgs } from 'node:util';
import { Tabgrid } from '../sdk/index.js';
import { startCoordinatorProcess } from '../e2e/coordinator.js';
import { BenchWorker } from './dispatch-worker.js';
import { percentile, table } from './stats.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '32' },
    tasks: { type: 'string', default: '20000' },
    json: { type: 'boolean', default: false },
  },
});
const workerCount = Number(values.workers);
const taskCount = Number(values.tasks);

const coordinator = await startCoordinatorProcess();
try {
  const token = new URL(coordinator.joinUrl).searchParams.get('token')!;
  const socketUrl = `${coordinator.url.replace(/^http/, 'ws')}/api/v1/worker?token=${encodeURIComponent(token)}`;
  const workers = Array.from({ length: workerCount }, () => new BenchWorker(socketUrl));
  await Promise.all(workers.map((worker) => worker.connect()));

  const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 50 });
  const items = new Array<null>(taskCount).fill(null);
  const job = await grid.submit({ name: 'dispatch benchmark', code: 'export default () => null', input: { items, chunkSize: 1 } });
  const started = performance.now();
  for (const worker of workers) worker.start();
  while (workers.reduce((sum, worker) => sum + worker.done, 0) < taskCount) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  const status = await job.wait({ timeoutMs: 60_000 });
  for (const worker of workers) worker.close();

  const latencies = workers.flatMap((worker) => worker.latenciesMs).sort((a, b) => a - b);
  const result = {
    workers: workerCount,
    tasks: taskCount,
    state: status.state,
    seconds: round(seconds),
    tasksPerSecond: round(taskCount / seconds),
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? NaN) },
    goal: { tasksPerSecond: 3000, p99Ms: 50 },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(
      table(
        ['workers', 'tasks', 'seconds', 'tasks/s', 'p50 ms', 'p99 ms', 'max ms', 'goal'],
        [[workerCount, taskCount, result.seconds, result.tasksPerSecond, result.latencyMs.p50, result.latencyMs.p99, result.latencyMs.max, '≥3000/s, p99<50ms']],
      ),
    );
  }
} finally {
  await coordinator.stop();
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
