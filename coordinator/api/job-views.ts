import type { JobStatus } from '../../shared/index.js';
import type { JobRecord } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { notFound } from './errors.js';
import { jobStatus, progressFromCounts } from './views.js';

/** A job's status, from memory while it is live, from the store once it has finished. */
export async function loadJobStatus(deps: ApiDeps, id: string): Promise<JobStatus> {
  const live = deps.scheduler.liveJob(id);
  if (live) return jobStatus(live.record, live.progress());
  const record = await deps.store.getJob(id);
  if (!record) throw notFound(`job ${id}`);
  const counts = await deps.store.countTasks([id]);
  return jobStatus(record, progressFromCounts(record.taskCount, counts.get(id) ?? {}));
}

export async function listJobStatuses(deps: ApiDeps): Promise<JobStatus[]> {
  const records = await deps.store.listJobs();
  const finished = records.filter((record) => !deps.scheduler.liveJob(record.id));
  const counts = await deps.store.countTasks(finished.map((record) => record.id));
  return records.map((record: JobRecord) => {
    const live = deps.scheduler.liveJob(record.id);
    if (live) return jobStatus(live.record, live.progress());
    return jobStatus(record, progressFromCounts(record.taskCount, counts.get(record.id) ?? {}));
  });
}
