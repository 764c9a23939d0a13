import type { JobProgress, JobStatus, TaskState, TaskStatus } from '../../shared/index.js';
import type { JobRecord, TaskRecord } from '../store/index.js';

/** The REST view of a job. */
export function jobStatus(record: JobRecord, progress: JobProgress, waitingReason?: string): JobStatus {
  const status: JobStatus = {
    id: record.id,
    name: record.name,
    state: record.state,
    priority: record.priority,
    progress,
    items: record.itemCount,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    runMode: (record.spec as Partial<JobRecord['spec']>).runMode ?? 'immediate',
  };
  if (record.error) status.error = record.error;
  if (waitingReason !== undefined) status.waitingReason = waitingReason;
  return status;
}

/** Progress from task counts by state. */
export function progressFromCounts(total: number, counts: Partial<Record<TaskState, number>>): JobProgress {
  return { total, done: counts.done ?? 0, failed: counts.failed ?? 0, running: counts.leased ?? 0 };
}

export function taskStatus(task: TaskRecord): TaskStatus {
  return {
    index: task.index,
    state: task.state,
    firstItem: task.firstItem,
    itemCount: task.itemCount,
    attempts: task.attempts,
    failures: task.failures,
    lapses: task.lapses,
    workerId: task.workerId,
    error: task.error,
  };
}
