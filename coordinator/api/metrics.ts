import type { Stats } from '../../shared/index.js';

type Sample = [labels: Record<string, string>, value: number];

function family(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const text = Object.entries(labels)
      .map(([key, label]) => `${key}="${escapeLabel(label)}"`)
      .join(',');
    lines.push(`${name}${text ? `{${text}}` : ''} ${value}`);
  }
  return lines.join('\n');
}

/** Label values escape backslash, double quote and newline, as the exposition format asks. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The statistics in Prometheus' text exposition format. */
export function prometheusText(stats: Stats): string {
  return [
    family('tabgrid_jobs', 'gauge', 'Jobs by state.', Object.entries(stats.jobs).map(([state, count]) => [{ state }, count])),
    family('tabgrid_tasks', 'gauge', 'Tasks by state.', Object.entries(stats.tasks).map(([state, count]) => [{ state }, count])),
    family('tabgrid_tasks_per_second', 'gauge', 'Tasks completed per second over the last 10 s.', [[{}, stats.tasksPerSecond]]),
    family('tabgrid_queue_depth', 'gauge', 'Ready tasks waiting for a worker.', [[{}, stats.queueDepth]]),
    family('tabgrid_workers', 'gauge', 'Connected workers.', [[{}, stats.workers]]),
    family('tabgrid_lease_lapses_total', 'counter', 'Leases that lapsed.', [[{}, stats.leaseLapses]]),
    family('tabgrid_retries_total', 'counter', 'Tasks made ready again after a failure or lapse.', [[{}, stats.retries]]),
    family('tabgrid_late_results_total', 'counter', 'Reports for leases no longer current, ignored.', [[{}, stats.lateResults]]),
    family('tabgrid_timeouts_total', 'counter', 'Attempts abandoned for running past their timeout.', [[{}, stats.timeouts]]),
    family('tabgrid_backup_copies_total', 'counter', 'Backup copies of stalled tasks handed to a second worker.', [[{}, stats.backups]]),
    family('tabgrid_uptime_seconds', 'gauge', 'Seconds since the coordinator started.', [[{}, stats.uptimeSeconds]]),
  ].join('\n\n') + '\n';
}
