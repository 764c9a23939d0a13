/**
 * What the coordinator's core tells its metrics as work flows (times in milliseconds): how long
 * an ask waited for its lease, how long a task waited in its job's queue before it was leased, and
 * how long an attempt ran until its result came. The core knows only this interface; the metrics
 * (`api/metrics.ts`) implement it.
 */
export interface Observer {
  askToLease(ms: number): void;
  queueWait(ms: number): void;
  taskRun(ms: number): void;
}

/** Observes nothing: the default where no metrics are kept (a scheduler in a unit test). */
export const NO_OBSERVER: Observer = { askToLease: () => undefined, queueWait: () => undefined, taskRun: () => undefined };
