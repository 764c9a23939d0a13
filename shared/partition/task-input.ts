import type { TaskInput } from '../protocol.js';
import type { JobSpec } from '../spec.js';
import type { JobGraph } from './job-graph.js';

/** A task as `taskInput` needs it: its place among the job's results and its share of the input. */
export interface TaskPlace {
  firstItem: number;
  itemCount: number;
  /** The partitioner's share: items, a sub-range, or a shard's byte range. */
  share: unknown;
  reduce: boolean;
}

/** Where finished outputs are read from. */
export interface OutputSource {
  /** The output of result index `unit`, if its task is done. */
  outputOf(unit: number): unknown;
  /** Every output of the job's (non-reduce) tasks, in result order. */
  all(): unknown[];
}

/**
 * What a task's lease carries: its share of the input and the outputs of its predecessors in
 * other tasks, or, for the reduce step, every output. The coordinator and the SDK's local
 * runner both build task inputs with it.
 */
export function taskInput(spec: JobSpec, graph: JobGraph, task: TaskPlace, outputs: OutputSource): TaskInput {
  if (task.reduce) return { kind: 'reduce', outputs: outputs.all() };
  const edges = predecessorEdges(graph, task, outputs);
  switch (spec.input.partitioner) {
    case 'items':
      return { kind: 'items', firstItem: task.firstItem, items: task.share as unknown[], ...edges };
    case 'range':
      return { kind: 'range', ...(task.share as { start: number; end: number; step: number }), ...edges };
    case 'blob':
      return {
        kind: 'blob',
        blob: spec.input.blob,
        separator: spec.input.separator,
        ...(task.share as { offset: number; length: number; records: boolean }),
        ...edges,
      };
  }
}

type Edges = Pick<Extract<TaskInput, { kind: 'items' }>, 'predecessors' | 'predecessorOutputs'>;

function predecessorEdges(graph: JobGraph, task: TaskPlace, outputs: OutputSource): Edges {
  if (graph.unitPredecessors.size === 0) return {};
  const predecessors: Record<string, number[]> = {};
  const predecessorOutputs: Record<string, unknown> = {};
  const last = task.firstItem + task.itemCount;
  for (let unit = task.firstItem; unit < last; unit++) {
    const preds = graph.unitPredecessors.get(unit);
    if (!preds) continue;
    predecessors[unit] = preds;
    for (const pred of preds) if (pred < task.firstItem || pred >= last) predecessorOutputs[pred] = outputs.outputOf(pred);
  }
  return Object.keys(predecessors).length === 0 ? {} : { predecessors, predecessorOutputs };
}
