import type { WorkerGateway } from '../gateway/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { Store } from '../store/index.js';

/** What the REST routes stand on. */
export interface ApiDeps {
  store: Store;
  scheduler: Scheduler;
  gateway: WorkerGateway;
  adminToken: string;
  joinToken: string;
  /** Base URL the join page and admin panel are reached at, e.g. `http://127.0.0.1:8080`. */
  publicUrl: () => string;
  limits: { maxSpecBytes: number; maxBlobBytes: number };
  startedAt: number;
}
