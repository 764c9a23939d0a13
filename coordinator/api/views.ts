import { isTerminal, jobProgress, type JobProgress, type JobStatus, type TaskState, type TaskStatus } from '../../shared/index.js';
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

/**
 * The progress of a job that is not live, from its tasks' counts by state (kept with it when it
 * ended, or counted). Its reduce step's state is not kept apart, but its end tells it: done when
 * the job completed, failed when it is the task that failed the job, else cancelled with it.
 */
export function storedProgress(summary: JobSummary, counts: Partial<Record<TaskState, number>>): JobProgress {
  return jobProgress(summary.taskCount, counts, storedReduceState(summary));
}

function storedReduceState(summary: JobSummary): TaskState | undefined {
  if (!summary.reduce || summary.taskCount === 0) return undefined;
  if (summary.state === 'COMPLETED') return 'done';
  if (!isTerminal(summary.state)) return 'blocked';
  return summary.error?.taskIndex === summary.taskCount - 1 ? 'failed' : 'cancelled';
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
