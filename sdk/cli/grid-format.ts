import { backendFigures, counted, describeGpu, formatDuration, formatRate, type Stats, type WorkerReputation, type WorkerStatus } from '../../shared/index.js';
import { alignedColumns } from './format.js';

/**
 * `tabgrid workers`: one row per connected worker. Throughput is its tasks done per minute since
 * it joined (one read cannot see a recent rate; the admin panel's, read again and again, can).
 */
export function workerTable(workers: readonly WorkerStatus[], now = Date.now()): string[] {
  if (workers.length === 0) return ['no workers connected: open the join URL in a browser tab, or run `tabgrid worker --join URL`'];
  return alignedColumns([
    ['ID', 'ADAPTER', 'BACKENDS (GFLOPS)', 'AT ONCE', 'RUNNING', 'DONE', 'TASKS/MIN', 'REPUTATION'],
    ...workers.map((worker) => [
      worker.capabilities.debug ? `${worker.id} (debug)` : worker.id,
      `${worker.capabilities.runtime} · ${describeGpu(worker)}`,
      backendFigures(worker).map(({ backend, gflops }) => `${backend} ${formatRate(gflops)}`).join(', ') || '—',
      worker.concurrency === undefined ? '—' : String(worker.concurrency),
      worker.currentTasks.length === 0 ? 'idle' : worker.currentTasks.map((task) => `${task.jobId}/${task.taskIndex}`).join(', '),
      String(worker.tasksDone),
      formatRate(perMinuteSince(worker, now)),
      worker.reputation ? describeReputation(worker.reputation) : '—',
    ]),
  ]);
}

/** `tabgrid quarantined`: one row per quarantined worker identity, with why. */
export function quarantineTable(workers: readonly WorkerReputation[]): string[] {
  if (workers.length === 0) return ['no worker is quarantined'];
  return alignedColumns([
    ['ID', 'REPUTATION', 'NOTE'],
    ...workers.map((worker) => [worker.id, describeReputation(worker), worker.note ?? '']),
  ]);
}

/** `tabgrid stats`: the grid in a few lines. */
export function statsLines(stats: Stats): string[] {
  return [
    `workers: ${stats.workers} connected`,
    `jobs: ${byState(stats.jobs)}`,
    `tasks: ${byState(stats.tasks)} (a reduce step counts as one)`,
    `queue: ${counted(stats.queueDepth, 'ready task')} waiting for a worker`,
    `throughput: ${formatRate(stats.tasksPerSecond)} tasks/s (last 10 s)`,
    `retries: ${stats.retries}, lease lapses: ${stats.leaseLapses}, timeouts: ${stats.timeouts}, late results: ${stats.lateResults}, backup copies: ${stats.backups}`,
    `uptime: ${formatDuration(stats.uptimeSeconds * 1000)}`,
  ];
}

/** `2 RUNNING, 5 COMPLETED`, leaving out the states nothing is in. */
function byState(counts: Readonly<Record<string, number>>): string {
  const present = Object.entries(counts).filter(([, count]) => count > 0);
  return present.length === 0 ? 'none' : present.map(([state, count]) => `${count} ${state}`).join(', ');
}

function describeReputation(reputation: WorkerReputation): string {
  const words = `${reputation.valid} valid, ${reputation.invalid} invalid, ${counted(reputation.errors, 'error')}, ${reputation.streak} in a row`;
  return reputation.quarantined ? `QUARANTINED; ${words}` : words;
}

function perMinuteSince(worker: WorkerStatus, now: number): number | undefined {
  const minutes = (now - Date.parse(worker.joinedAt)) / 60_000;
  return minutes > 0 ? worker.tasksDone / minutes : undefined;
}
