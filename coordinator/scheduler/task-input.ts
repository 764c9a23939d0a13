import type { JobSpec, TaskInput } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import type { LiveJob } from './live-job.js';

/** What the worker needs to run this task: its share of the input and its predecessors' outputs. */
export function taskInput(job: LiveJob, task: TaskRecord): TaskInput {
  const spec = job.record.spec;
  if (task === job.reduceTask()) return { kind: 'reduce', outputs: job.outputs() };
  const edges = predecessorEdges(job, task);
  switch (spec.input.partitioner) {
    case 'items':
      return { kind: 'items', firstItem: task.firstItem, items: task.input as unknown[], ...edges };
    case 'range':
      return { kind: 'range', ...(task.input as { start: number; end: number; step: number }), ...edges };
    case 'blob':
      return { kind: 'blob', blob: spec.input.blob, separator: spec.input.separator, ...(task.input as BlobShare), ...edges };
  }
}

interface BlobShare {
  offset: number;
  length: number;
  records: boolean;
}

type Edges = Pick<Extract<TaskInput, { kind: 'items' }>, 'predecessors' | 'predecessorOutputs'>;

function predecessorEdges(job: LiveJob, task: TaskRecord): Edges {
  const units = job.graph.unitPredecessors;
  if (units.size === 0) return {};
  const predecessors: Record<string, number[]> = {};
  const predecessorOutputs: Record<string, unknown> = {};
  const last = task.firstItem + task.itemCount;
  for (let unit = task.firstItem; unit < last; unit++) {
    const preds = units.get(unit);
    if (!preds) continue;
    predecessors[unit] = preds;
    for (const pred of preds) if (pred < task.firstItem || pred >= last) predecessorOutputs[pred] = job.outputOf(pred);
  }
  return Object.keys(predecessors).length === 0 ? {} : { predecessors, predecessorOutputs };
}

/** The module a task runs: the reduce step's, or the job's. */
export function taskCode(spec: JobSpec, codeSha: string, isReduce: boolean): string {
  if (isReduce && spec.reduce !== undefined && typeof spec.reduce !== 'string') return spec.reduce.blob;
  return codeSha;
}
