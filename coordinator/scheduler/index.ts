export { Scheduler, type SchedulerOptions, type ReportOutcome, type CheckpointOutcome, type Asker, type GangLease, type ValidationStats } from './scheduler.js';
export type { Lease } from './leases.js';
export type { LiveJob } from './live-job.js';
export { InvalidSpecError } from '../../shared/index.js';
export { mismatch } from './matching.js';
export { gangWaitingReason } from './gang-formation.js';
export { newId } from './ids.js';
export { BACKUP_DEFAULTS } from './backups.js';
export { rebuildGraph } from './build-job.js';
