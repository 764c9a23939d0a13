/**
 * Backup copies of stalled tasks: a volunteer may take a task and heartbeat forever without
 * answering. When nothing is ready, a task held far longer than its job's tasks take (see
 * `stallAfterMs`) may run on a second worker beside the first; the first result wins.
 */
import type { TaskLease } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import { heldAs, type Lease } from './leases.js';
import type { LiveJob } from './live-job.js';
import { mismatch } from './matching.js';
import type { Asker, SchedulerOptions, SchedulerState } from './state.js';
import { leaseMessage } from './task-input.js';

/** When a lease stalls, unless the scheduler's options say otherwise (see `SchedulerOptions`). */
export const BACKUP_DEFAULTS = { backupAfterMs: 60_000, backupFactor: 4, backupWithoutHistoryMs: 600_000 } as const;

/** How long a lease of this job runs before an idle worker may back it up. */
export function stallAfterMs(job: LiveJob, timing: SchedulerOptions): number {
  const median = job.durations.median();
  const floor = timing.backupAfterMs ?? BACKUP_DEFAULTS.backupAfterMs;
  if (median === undefined) return Math.max(floor, timing.backupWithoutHistoryMs ?? BACKUP_DEFAULTS.backupWithoutHistoryMs);
  return Math.max(floor, (timing.backupFactor ?? BACKUP_DEFAULTS.backupFactor) * median);
}

/** A plain lease (no gang, no replicas, no copy) of a job that may be backed up at all. */
function backupable(job: LiveJob, lease: Lease): boolean {
  const { spec } = job.record;
  return lease.gang === undefined && lease.replicas === undefined && lease.backupOf === undefined && lease.backup === undefined &&
    !spec.gang && !spec.validation && spec.runMode !== 'debug' && job.leasable();
}

/** The stalled leases, longest running first, with their job and task. */
interface Held {
  job: LiveJob;
  task: TaskRecord;
  lease: Lease;
}

/** The current leases (their task still held under them) that `include` picks and that have run past their job's stall time, longest running first. */
function pastStallTime(state: SchedulerState, include: (job: LiveJob, lease: Lease) => boolean): Held[] {
  const now = state.now();
  const found: Held[] = [];
  for (const lease of state.leases.all()) {
    const job = state.live.get(lease.jobId);
    const task = job?.task(lease.taskIndex);
    if (!job || !task || task.leaseId !== heldAs(lease) || task.state !== 'leased' || !include(job, lease)) continue;
    if (now - lease.startedAt >= stallAfterMs(job, state.options)) found.push({ job, task, lease });
  }
  return found.sort((a, b) => a.lease.startedAt - b.lease.startedAt);
}

/** Plain leases that have stalled, and may be backed up. */
function stalled(state: SchedulerState): Held[] {
  return pastStallTime(state, backupable);
}

/** Replica leases of validated jobs that have stalled. */
export function stalledReplicas(state: SchedulerState): Held[] {
  return pastStallTime(state, (_, lease) => lease.replicas !== undefined);
}

/** True when some lease has stalled since the last call: parked workers may back it up now. */
export function newlyStalled(state: SchedulerState): boolean {
  let fresh = false;
  for (const { lease } of stalled(state)) {
    if (lease.stallAnnounced) continue;
    lease.stallAnnounced = true;
    fresh = true;
  }
  return fresh;
}

/**
 * Leases a backup copy of a stalled task to this worker, if one may run it: another worker (and
 * host) than the one holding it, not excluded from it, matching the job. The copy starts from
 * the task's last checkpoint; the first of the two to report a result completes the task and the
 * other is revoked. The task row is not touched: it still names the first lease.
 */
export function leaseBackup(state: SchedulerState, asker: Asker): TaskLease | undefined {
  for (const { job, task, lease: primary } of stalled(state)) {
    if (primary.workerId === asker.id || task.excluded.includes(asker.id)) continue;
    if (asker.host !== undefined && primary.host === asker.host) continue;
    if (mismatch(asker.capabilities, job.record.spec.requires, false)) continue;
    const copy: Lease = { ...state.newLease(job, task, asker.id), backupOf: primary.leaseId };
    if (asker.host !== undefined) copy.host = asker.host;
    primary.backup = copy.leaseId;
    state.leases.add(copy);
    job.leased++;
    state.counters.backups++;
    return leaseMessage(job, task, copy);
  }
  return undefined;
}

/**
 * The other copy of a lease that ends (a primary and its backup, either way): it is removed and
 * its worker told, with `reason`. Answers whether there was one.
 */
export function revokeCopy(state: SchedulerState, job: LiveJob, lease: Lease, reason: string): boolean {
  const otherId = lease.backupOf ?? lease.backup;
  const other = otherId === undefined ? undefined : state.leases.get(otherId);
  if (lease.backupOf !== undefined) {
    const primary = state.leases.get(lease.backupOf);
    if (primary) delete primary.backup;
  }
  if (!other) return false;
  state.endLease(job, other.leaseId);
  state.emitRevoke(other, reason);
  return true;
}

/**
 * The first worker's lease ended without a result (it lapsed, timed out or failed) while a backup
 * copy runs: the copy becomes the task's lease and goes on. Answers false when there is no copy.
 */
export function promoteCopy(state: SchedulerState, job: LiveJob, task: TaskRecord, lease: Lease): boolean {
  const copy = lease.backup === undefined ? undefined : state.leases.get(lease.backup);
  if (!copy) return false;
  state.endLease(job, lease.leaseId);
  delete copy.backupOf;
  Object.assign(task, { leaseId: copy.leaseId, workerId: copy.workerId });
  state.commits.add({ type: 'updateTask', jobId: job.id, index: task.index, patch: { leaseId: copy.leaseId, workerId: copy.workerId } });
  return true;
}

/** A backup copy ended without a result: it is gone, and the first worker goes on alone. */
export function dropCopy(state: SchedulerState, job: LiveJob, copy: Lease): void {
  state.endLease(job, copy.leaseId);
  const primary = copy.backupOf === undefined ? undefined : state.leases.get(copy.backupOf);
  if (primary) delete primary.backup;
}
