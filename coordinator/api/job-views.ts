import type { JobStatus } from '../../shared/index.js';
import { gangWaitingReason, mismatch, type LiveJob } from '../scheduler/index.js';
import type { JobRecord } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { notFound } from './errors.js';
import { jobStatus, progressFromCounts } from './views.js';

/** A job's status, from memory while it is live, from the store once it has finished. */
export async function loadJobStatus(deps: ApiDeps, id: string): Promise<JobStatus> {
  const live = deps.scheduler.liveJob(id);
  if (live) return liveStatus(deps, live);
  const record = await deps.store.getJob(id);
  if (!record) throw notFound(`job ${id}`);
  const counts = await deps.store.countTasks([id]);
  return jobStatus(record, progressFromCounts(record.taskCount, counts.get(id) ?? {}), undefined, deps.scheduler.validationStats(id));
}

export async function listJobStatuses(deps: ApiDeps): Promise<JobStatus[]> {
  const records = await deps.store.listJobs();
  const finished = records.filter((record) => !deps.scheduler.liveJob(record.id));
  const counts = await deps.store.countTasks(finished.map((record) => record.id));
  return records.map((record: JobRecord) => {
    const live = deps.scheduler.liveJob(record.id);
    if (live) return liveStatus(deps, live);
    return jobStatus(record, progressFromCounts(record.taskCount, counts.get(record.id) ?? {}), undefined, deps.scheduler.validationStats(record.id));
  });
}

function liveStatus(deps: ApiDeps, job: LiveJob): JobStatus {
  return jobStatus(job.record, job.progress(), waitingReason(deps, job), deps.scheduler.validationStats(job.id));
}

/** Why a live job is not getting leases, in words a user can act on. */
function waitingReason(deps: ApiDeps, job: LiveJob): string | undefined {
  const { state, spec } = job.record;
  if (state === 'PAUSED') return 'paused: POST /api/v1/jobs/:id/resume to go on';
  if (state !== 'PENDING') return undefined;
  if (job.blockedBy.size > 0) return `waiting for job ${[...job.blockedBy].join(', ')} to complete`;
  const workers = deps.gateway.workers();
  if (workers.length === 0) return 'no workers connected: open the join URL in a browser tab';
  const debug = spec.runMode === 'debug';
  const reasons = workers.map((worker) => mismatch(worker.capabilities, spec.requires, debug));
  if (reasons.every((reason) => reason !== undefined)) return `no connected worker can run it: ${reasons[0]}`;
  if (spec.gang) return gangWaitingReason(spec.gang, reasons.filter((reason) => reason === undefined).length);
  return undefined;
}
