import { taskInput as buildTaskInput, type JobSpec, type TaskInput } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import type { LiveJob } from './live-job.js';

/** What the worker needs to run this task: its share of the input and its predecessors' outputs. */
export function taskInput(job: LiveJob, task: TaskRecord): TaskInput {
  const place = { firstItem: task.firstItem, itemCount: task.itemCount, share: task.input, reduce: task === job.reduceTask() };
  return buildTaskInput(job.record.spec, job.graph, place, { outputOf: (unit) => job.outputOf(unit), all: () => job.outputs() });
}

/** The module a task runs: the reduce step's, or the job's. */
export function taskCode(spec: JobSpec, codeSha: string, isReduce: boolean): string {
  if (isReduce && spec.reduce !== undefined && typeof spec.reduce !== 'string') return spec.reduce.blob;
  return codeSha;
}
