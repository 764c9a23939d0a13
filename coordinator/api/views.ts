import type { JobProgress, JobStatus, TaskState, TaskStatus } from '../../shared/index.js';
import type { ValidationStats } from '../scheduler/index.js';
import type { JobSummary, TaskRecord } from '../store/index.js';

const NO_STATS: ValidationStats = { leases: 0, accepted: 0, checked: 0, disagreements: 0, rechecked: 0 };

/** The REST view of a job; `stats` are its validation's, for a validated job. */
export function jobStatus(record: JobSummary, progress: JobProgress, waitingReason?: string, stats?: ValidationStats): JobStatus {
  const status: JobStatus = {
    id: record.id,
    name: record.name,
    state: record.state,
    priority: record.priority,
    progress,
    items: record.itemCount,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    runMode: record.runMode,
    reduce: record.reduce,
  };
  if (record.startedAt !== undefined) status.startedAt = new Date(record.startedAt).toISOString();
  if (record.endedAt !== undefined) status.endedAt = new Date(record.endedAt).toISOString();
  if (record.spec) status.spec = record.spec;
  if (record.error) status.error = record.error;
  if (waitingReason !== undefined) status.waitingReason = waitingReason;
  const { validation } = record;
  if (validation) {
    const { replicas, quorum, adaptive, maxReplicas } = validation;
    status.validation = { replicas, quorum, adaptive, maxReplicas, ...(stats ?? NO_STATS) };
  }
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
