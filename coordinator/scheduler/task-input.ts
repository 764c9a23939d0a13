import { taskInput as buildTaskInput, type JobSpec, type TaskInput, type TaskLease } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import type { Lease } from './leases.js';
import type { LiveJob } from './live-job.js';

/** What the worker needs to run this task: its share of the input and its predecessors' outputs. */
export function taskInput(job: LiveJob, task: TaskRecord): TaskInput {
  const place = { firstItem: task.firstItem, itemCount: task.itemCount, share: task.input, reduce: task.index === job.reduceIndex() };
  return buildTaskInput(job.record.spec, job.graph, place, { outputOf: (unit) => job.outputOf(unit), all: () => job.outputs() });
}

/** The module a task runs: the reduce step's, or the job's. */
export function taskCode(spec: JobSpec, codeSha: string, isReduce: boolean): string {
  if (isReduce && spec.reduce !== undefined && typeof spec.reduce !== 'string') return spec.reduce.blob;
  return codeSha;
}

/** The `lease` message for a granted lease. */
export function leaseMessage(job: LiveJob, task: TaskRecord, lease: Lease): TaskLease {
  const spec = job.record.spec;
  const message: TaskLease = {
    type: 'lease',
    leaseId: lease.leaseId,
    jobId: job.id,
    jobName: job.record.name,
    taskIndex: task.index,
    attempt: task.attempts,
    code: taskCode(spec, job.record.codeSha, task.index === job.reduceIndex()),
    input: taskInput(job, task),
  };
  if (task.checkpoint !== undefined) message.restored = task.checkpoint;
  if (spec.runMode === 'debug') message.debug = true;
  if (spec.retry.timeoutMs !== undefined) message.timeoutMs = spec.retry.timeoutMs;
  if (spec.tensor?.threads === true) message.tensorThreads = true;
  return message;
}
