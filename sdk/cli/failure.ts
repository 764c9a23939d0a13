import { counted, describeItems, type JobStatus, type TaskDetail } from '../../shared/index.js';
import type { Job } from '../job.js';

/**
 * Where and how a job failed, as `status` and `submit --wait` print it: the error, the task that
 * failed it with its items, attempts and workers (read from the task, as the admin panel does),
 * and the stack the task code threw. Nothing for a job without an error.
 * @example
 * // error: bad 2
 * // failed task: 1 (item 1), 1 attempt (1 failed, 0 lost), on worker w_1
 * // stack:
 * //   Error: bad 2
 * //       at default (task.js:1:40)
 */
export async function failureLines(job: Job, status: JobStatus): Promise<string[]> {
  const { error } = status;
  if (!error) return [];
  const lines = [`error: ${error.message}`];
  if (error.taskIndex !== undefined) lines.push(`failed task: ${describeTask(await job.task(error.taskIndex), status)}`);
  if (error.stack !== undefined && error.stack !== '') lines.push('stack:', ...error.stack.split('\n').map((line) => `  ${line}`));
  return lines;
}

function describeTask(task: TaskDetail, status: JobStatus): string {
  // The reduce step follows the map tasks; its "item" is none of the job's.
  const what = status.progress.reduce !== undefined && task.index === status.progress.total ? 'the reduce step' : describeItems(task.firstItem, task.itemCount);
  const attempts = `${counted(task.attempts, 'attempt')} (${task.failures} failed, ${task.lapses} lost)`;
  const workers = task.workers.length === 0 ? '' : `, on ${task.workers.length === 1 ? 'worker' : 'workers'} ${task.workers.join(', ')}`;
  return `${task.index} (${what}), ${attempts}${workers}`;
}
