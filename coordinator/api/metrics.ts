import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Stats, WorkerStatus } from '../../shared/index.js';
import type { Observer } from '../observer.js';

/**
 * The process's own metrics (CPU, memory, event loop lag, GC: prom-client's defaults), collected
 * once per process however many coordinators it runs (tests run many), and merged into each
 * coordinator's `/metrics`.
 */
let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Seconds, for latencies of a socket round trip up to a minute's wait for a task. */
const ASK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds, for a task's time in the queue or running: a millisecond to hours. */
const TASK_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14_400];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** The counters the scheduler keeps, as Prometheus counters (`_total`). */
const COUNTERS = {
  leaseLapses: ['tabgrid_lease_lapses_total', 'Leases that lapsed (the worker went away).'],
  retries: ['tabgrid_retries_total', 'Tasks made ready again after a failure or a lapse.'],
  lateResults: ['tabgrid_late_results_total', 'Reports for leases no longer current, ignored.'],
  timeouts: ['tabgrid_timeouts_total', 'Attempts abandoned for running past their timeout.'],
  backups: ['tabgrid_backup_copies_total', 'Backup copies of stalled tasks handed to a second worker.'],
} as const satisfies Partial<Record<keyof Stats, readonly [string, string]>>;

/**
 * A coordinator's Prometheus metrics (prom-client, its own registry): histograms of how long asks
 * wait for a lease, tasks wait in the queue and attempts run (it is the core's `Observer`); HTTP
 * requests by route and status; gauges of jobs and tasks by state, workers by runtime and backend,
 * queue depth and throughput, set from the stats at each scrape; the scheduler's counters; and the
 * process's defaults.
 */
export class Metrics implements Observer {
  readonly registry = new Registry();
  private readonly askToLeaseSeconds = this.histogram('tabgrid_ask_to_lease_seconds', 'Time from a worker asking for a task to its lease being sent.', ASK_BUCKETS);
  private readonly queueWaitSeconds = this.histogram('tabgrid_task_queue_wait_seconds', 'Time a ready task waited in its job queue before it was leased.', TASK_BUCKETS);
  private readonly taskRunSeconds = this.histogram('tabgrid_task_run_seconds', 'Time from a lease to its result (every attempt that reported one).', TASK_BUCKETS);
  private readonly httpRequests = new Counter({ name: 'tabgrid_http_requests_total', help: 'HTTP requests answered, by method, route and status.', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  private readonly httpSeconds = new Histogram({ name: 'tabgrid_http_request_duration_seconds', help: 'Time to answer an HTTP request (a stream: to its headers).', labelNames: ['method', 'route', 'status'], buckets: HTTP_BUCKETS, registers: [this.registry] });
  private readonly jobs = this.gauge('tabgrid_jobs', 'Jobs by state.', ['state']);
  private readonly tasks = this.gauge('tabgrid_tasks', 'Tasks by state.', ['state']);
  private readonly workers = this.gauge('tabgrid_workers', 'Connected workers, by runtime and the tensor backend they chose.', ['runtime', 'backend']);
  private readonly queueDepth = this.gauge('tabgrid_queue_depth', 'Ready tasks waiting for a worker.');
  private readonly tasksPerSecond = this.gauge('tabgrid_tasks_per_second', 'Tasks completed per second over the last 10 s.');
  private readonly uptime = this.gauge('tabgrid_uptime_seconds', 'Seconds since this coordinator began to serve.');
  private readonly counters = Object.fromEntries(
    Object.entries(COUNTERS).map(([key, [name, help]]) => [key, new Counter({ name, help, registers: [this.registry] })]),
  ) as Record<keyof typeof COUNTERS, Counter>;

  askToLease(ms: number): void {
    this.askToLeaseSeconds.observe(ms / 1000);
  }

  queueWait(ms: number): void {
    this.queueWaitSeconds.observe(ms / 1000);
  }

  taskRun(ms: number): void {
    this.taskRunSeconds.observe(ms / 1000);
  }

  /** One answered request; `route` is the matched route's pattern (`/api/v1/jobs/:id`), so the labels stay few. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpSeconds.observe(labels, seconds);
  }

  /** The text of `/metrics` (Prometheus exposition format), the gauges and counters set from `stats` and `workers` first. */
  async exposition(stats: Stats, workers: readonly WorkerStatus[]): Promise<string> {
    setByLabel(this.jobs, 'state', stats.jobs);
    setByLabel(this.tasks, 'state', stats.tasks);
    this.workers.reset();
    for (const worker of workers) this.workers.inc({ runtime: worker.capabilities.runtime, backend: worker.capabilities.tensor?.chosen.backend ?? 'unmeasured' });
    this.queueDepth.set(stats.queueDepth);
    this.tasksPerSecond.set(stats.tasksPerSecond);
    this.uptime.set(stats.uptimeSeconds);
    for (const key of Object.keys(COUNTERS) as (keyof typeof COUNTERS)[]) {
      this.counters[key].reset();
      this.counters[key].inc(stats[key]);
    }
    return Registry.merge([this.registry, processMetrics()]).metrics();
  }

  /** The content type of `exposition()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private histogram(name: string, help: string, buckets: number[]): Histogram {
    return new Histogram({ name, help, buckets, registers: [this.registry] });
  }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}

function setByLabel(gauge: Gauge, label: string, values: Record<string, number>): void {
  gauge.reset();
  for (const [value, count] of Object.entries(values)) gauge.set({ [label]: value }, count);
}
