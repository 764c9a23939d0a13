import type { TaskLease } from '../../shared/index.js';
import { leaseBackup } from './backups.js';
import type { LiveJob } from './live-job.js';
import { mismatch } from './matching.js';
import type { Replication } from './replication.js';
import { before, type Asker, type SchedulerState } from './state.js';
import { leaseMessage } from './task-input.js';

/**
 * Leases the best ready task this worker may run, or answers undefined when there is none (or
 * the worker is quarantined). A validated job's task goes as one replica of its group.
 */
export async function leaseNext(state: SchedulerState, replication: Replication, asker: Asker): Promise<TaskLease | undefined> {
  if (replication.records.isQuarantined(asker.id)) return undefined;
  const job = pickJob(state, replication, asker);
  if (job?.record.spec.validation) return (await replication.lease(job, asker)) ?? (state.live.has(job.id) ? undefined : leaseNext(state, replication, asker));
  const task = job?.takeReady(asker.id);
  // Nothing ready: a task some worker holds far longer than the job's tasks take may get a backup copy.
  if (!job || !task) return leaseBackup(state, asker);
  const lease = state.grant(job, task, asker.id);
  if (asker.host !== undefined) lease.host = asker.host;
  await state.commits.committed();
  // Cancelled while the commit was in flight: look again rather than hand out a dead task.
  if (!state.leases.get(lease.leaseId)) return leaseNext(state, replication, asker);
  return leaseMessage(job, task, lease);
}

/** Live jobs by priority, then whose turn it is (equal priorities take turns), then age. */
function pickJob(state: SchedulerState, replication: Replication, asker: Asker): LiveJob | undefined {
  let best: LiveJob | undefined;
  for (const job of state.live.values()) {
    if (job.record.spec.gang || !job.leasable()) continue;
    if (!(job.record.spec.validation ? replication.hasWorkFor(job, asker) : job.hasReadyFor(asker.id))) continue;
    const debug = job.record.spec.runMode === 'debug';
    if (debug && job.leased > 0) continue;
    if (mismatch(asker.capabilities, job.record.spec.requires, debug)) continue;
    if (!best || before(job, best)) best = job;
  }
  if (best) best.turn = ++state.turns;
  return best;
}
