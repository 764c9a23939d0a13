import type { TaskLease } from '../../shared/index.js';
import { leaseBackup } from './backups.js';
import type { LiveJob } from './live-job.js';
import { mismatch } from './matching.js';
import type { Replication } from './replication.js';
import type { Asker, SchedulerState } from './state.js';
import { leaseMessage } from './task-input.js';

/**
 * Leases the best ready task this worker may run, answered once committed, or undefined when
 * there is none (or the worker is quarantined). A lease that ended while its commit was in
 * flight (the job was cancelled) is not answered: the ask looks again.
 */
export async function leaseNext(state: SchedulerState, replication: Replication, asker: Asker): Promise<TaskLease | undefined> {
  const lease = await grantNext(state, replication, asker);
  if (!lease) return undefined;
  await state.commits.committed();
  return state.leases.get(lease.leaseId) ? lease : leaseNext(state, replication, asker);
}

/**
 * `leaseNext` in memory and in the next commit, without waiting for that commit: the lease is
 * the worker's to be told once it is committed, if it still holds it then. It waits only for
 * ready tasks being read from the store. A validated job's task goes as one replica of its group.
 */
export async function grantNext(state: SchedulerState, replication: Replication, asker: Asker, waited = false): Promise<TaskLease | undefined> {
  if (replication.records.isQuarantined(asker.id)) return undefined;
  const job = pickJob(state, replication, asker);
  // Ready tasks still being read from the store: wait for them once rather than answer "nothing".
  if (!job && !waited && state.loads.size > 0) {
    await Promise.all(state.loads);
    return grantNext(state, replication, asker, true);
  }
  if (job?.record.spec.validation) return replication.lease(job, asker);
  const task = job?.takeReady(asker.id);
  // Nothing ready: a task some worker holds far longer than the job's tasks take may get a backup copy.
  if (!job || !task) return leaseBackup(state, asker);
  const lease = state.grant(job, task, asker.id);
  if (asker.host !== undefined) lease.host = asker.host;
  return leaseMessage(job, task, lease);
}

/**
 * The first job in lease order (see `JobQueue`) with a task for this worker. Jobs that cannot
 * lease, or have nothing ready for anyone, leave the queue until they may have work again; a
 * validated job stays while it is leasable (a replica group may want another worker at any time).
 */
function pickJob(state: SchedulerState, replication: Replication, asker: Asker): LiveJob | undefined {
  const job = state.queues.tasks.find((job) => {
    const validated = job.record.spec.validation !== undefined;
    if (!job.leasable() || (!validated && !job.hasReady())) return 'drop';
    if (!(validated ? replication.hasWorkFor(job, asker) : job.hasReadyFor(asker.id))) return false;
    const debug = job.record.spec.runMode === 'debug';
    if (debug && job.leased > 0) return false;
    return !mismatch(asker.capabilities, job.record.spec.requires, debug);
  });
  if (job) state.takeTurn(job);
  return job;
}
