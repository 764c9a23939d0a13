import type { JobSpec, TaskState } from '../../shared/index.js';
import type { NewTask, TaskRecord, TaskShape } from '../store/index.js';
import { buildJobGraph, partition, type JobGraph, type PartitionContext, type TaskShare } from '../../shared/index.js';
import { TaskTable } from './task-table.js';

export interface BuiltJob {
  /** Each task's share of the input, the reduce step's (no input) last. */
  shares: TaskShare[];
  graph: JobGraph;
  /** Result indices: items for items jobs, tasks for range and blob jobs. */
  units: number;
}

/** Partitions a spec into tasks and their graph; throws InvalidSpecError for what cannot run. */
export async function buildJob(spec: JobSpec, context: PartitionContext): Promise<BuiltJob> {
  const shares = await partition(spec.input, context);
  const withReduce = spec.reduce !== undefined;
  const graph = buildJobGraph(shares, spec.dependencies ?? [], withReduce);
  const units = shares.reduce((sum, share) => sum + share.itemCount, 0);
  if (withReduce) shares.push({ input: null, firstItem: units, itemCount: 1 });
  return { shares, graph, units };
}

/** A new task's state: blocked while it has predecessors, else ready. */
function initialState(graph: JobGraph, index: number): TaskState {
  return graph.taskPredecessors[index]!.length > 0 ? 'blocked' : 'ready';
}

/** The new job's tasks, made one at a time as the store writes them; `state` overrides every task's (a job created failed). */
export function* newTasks(built: BuiltJob, state?: TaskState): Generator<NewTask> {
  for (const [index, share] of built.shares.entries()) {
    yield { index, state: state ?? initialState(built.graph, index), firstItem: share.firstItem, itemCount: share.itemCount, input: share.input };
  }
}

/** The whole record of a task just created. */
export function newTaskRecord(jobId: string, task: NewTask, now: number): TaskRecord {
  return {
    ...task,
    jobId,
    output: null,
    attempts: 0,
    failures: 0,
    lapses: 0,
    failedOn: [],
    lapsedOn: [],
    excluded: [],
    leaseId: null,
    workerId: null,
    error: null,
    checkpoint: undefined,
    readyAt: 0,
    updatedAt: now,
  };
}

/** The table of a new job's tasks, every one cold (the store has their records). */
export function newTaskTable(built: BuiltJob): TaskTable {
  return new TaskTable(built.shares.length, (index) => initialState(built.graph, index), (index) => built.shares[index]!.firstItem);
}

/** The graph of a job loaded from the store: its tasks' places are in the task rows. */
export function rebuildGraph(spec: JobSpec, shapes: readonly TaskShape[]): JobGraph {
  const withReduce = spec.reduce !== undefined;
  const shares = (withReduce ? shapes.slice(0, -1) : shapes).map((task) => ({ input: null, firstItem: task.firstItem, itemCount: task.itemCount }));
  return buildJobGraph(shares, spec.dependencies ?? [], withReduce);
}
