export { Scheduler, type SchedulerOptions, type ReportOutcome } from './scheduler.js';
export type { Lease } from './leases.js';
export type { LiveJob } from './live-job.js';
export { newId } from './ids.js';
