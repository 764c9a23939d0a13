import type { WorkerGateway } from '../gateway/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';
import type { StatsHistory } from './stats-history.js';

/** Limits on what the REST API accepts. */
export interface ApiLimits {
  /** Largest request body; over it: 413, nothing recorded. */
  maxBodyBytes: number;
  /** Largest job spec; over it the job is recorded as REJECTED (413). */
  maxSpecBytes: number;
  /** Largest blob. */
  maxBlobBytes: number;
  /** Jobs that may be waiting or running at once; over it a new job is REJECTED (429). */
  maxQueuedJobs: number;
  /** Deepest nesting of arrays and objects in a spec; deeper: 413, nothing recorded. */
  maxDepth: number;
}

/** What the REST routes stand on. */
export interface ApiDeps {
  store: Store;
  scheduler: Scheduler;
  gateway: WorkerGateway;
  adminToken: string;
  joinToken: string;
  /** Base URL the join page and admin panel are reached at, e.g. `http://127.0.0.1:8080`. */
  publicUrl: () => string;
  limits: ApiLimits;
  startedAt: number;
  /** Throughput samples of the last hour (`GET /stats/history`, the admin feed). */
  history: StatsHistory;
  /** What `GET /metrics` exposes; the scheduler and the gateway observe into it. */
  metrics: Metrics;
}
