import { buildJobGraph, DEFAULT_SPEC_LIMITS, partition, taskInput, type JobGraph, type JobSpec, type PartitionContext, type TaskInput } from '../../shared/index.js';

/** One task of a local job: its share of the input and its place among the job's results. */
export interface LocalTaskPlan {
  index: number;
  firstItem: number;
  itemCount: number;
  /** The partitioner's share: items, a sub-range, or a shard's byte range. */
  share: unknown;
  reduce: boolean;
}

/** A job split into tasks, with its graph and the order to run them in. */
export interface LocalPlan {
  tasks: LocalTaskPlan[];
  graph: JobGraph;
  /** Result indices: items for items jobs, tasks for range and blob jobs. */
  units: number;
  /** Task indices, each after all of its predecessors (the lowest ready index first). */
  order: number[];
}

/**
 * Partitions a spec and builds its task graph, as the coordinator does.
 * @throws {InvalidSpecError} for what cannot run (a cycle, an unknown blob)
 */
export async function planJob(
  spec: JobSpec,
  readBlob: (sha256: string) => Promise<Uint8Array | undefined>,
  limits: PartitionContext['limits'] = DEFAULT_SPEC_LIMITS,
): Promise<LocalPlan> {
  const shares = await partition(spec.input, { blob: readBlob, limits });
  const withReduce = spec.reduce !== undefined;
  const graph = buildJobGraph(shares, spec.dependencies ?? [], withReduce);
  const units = shares.reduce((sum, share) => sum + share.itemCount, 0);
  const tasks: LocalTaskPlan[] = shares.map((share, index) => ({ index, ...share, share: share.input, reduce: false }));
  if (withReduce) tasks.push({ index: tasks.length, firstItem: units, itemCount: 1, share: null, reduce: true });
  return { tasks, graph, units, order: topologicalOrder(graph.taskPredecessors) };
}

/**
 * Kahn's algorithm, taking the lowest ready index first so the order is the natural one where
 * dependencies allow.
 * @example topologicalOrder([[1], [], [0]]) // [1, 0, 2]
 */
export function topologicalOrder(predecessors: readonly (readonly number[])[]): number[] {
  const waiting = predecessors.map((list) => new Set(list).size);
  const successors = predecessors.map(() => [] as number[]);
  predecessors.forEach((list, task) => new Set(list).forEach((from) => successors[from]!.push(task)));
  const ready = waiting.flatMap((count, task) => (count === 0 ? [task] : []));
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const task = ready.shift()!;
    order.push(task);
    for (const next of successors[task]!) if (--waiting[next]! === 0) ready.push(next);
  }
  return order;
}

/** What a task's lease carries: its share, its predecessors' outputs, or every output for the reduce step. */
export function taskInputOf(spec: JobSpec, plan: LocalPlan, task: LocalTaskPlan, unitOutputs: readonly unknown[]): TaskInput {
  return taskInput(spec, plan.graph, task, { outputOf: (unit) => unitOutputs[unit], all: () => unitOutputs.slice(0, plan.units) });
}
