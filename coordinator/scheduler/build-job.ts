import type { JobSpec } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import { buildJobGraph, partition, type JobGraph, type PartitionContext, type TaskShare } from '../../shared/index.js';

export interface BuiltJob {
  tasks: TaskRecord[];
  graph: JobGraph;
  /** Result indices: items for items jobs, tasks for range and blob jobs. */
  units: number;
}

/** Partitions a spec into tasks and their graph; throws InvalidSpecError for what cannot run. */
export async function buildJob(jobId: string, spec: JobSpec, context: PartitionContext, now: number): Promise<BuiltJob> {
  const shares = await partition(spec.input, context);
  const withReduce = spec.reduce !== undefined;
  const graph = buildJobGraph(shares, spec.dependencies ?? [], withReduce);
  const units = shares.reduce((sum, share) => sum + share.itemCount, 0);
  const all: TaskShare[] = withReduce ? [...shares, { input: null, firstItem: units, itemCount: 1 }] : shares;
  const tasks = all.map((share, index): TaskRecord => ({
    jobId,
    index,
    state: graph.taskPredecessors[index]!.length > 0 ? 'blocked' : 'ready',
    firstItem: share.firstItem,
    itemCount: share.itemCount,
    input: share.input,
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
  }));
  return { tasks, graph, units };
}

/** The graph of a job loaded from the store: its tasks' shares are in the task rows. */
export function rebuildGraph(spec: JobSpec, tasks: TaskRecord[]): JobGraph {
  const withReduce = spec.reduce !== undefined;
  const shares = (withReduce ? tasks.slice(0, -1) : tasks).map((task) => ({ input: null, firstItem: task.firstItem, itemCount: task.itemCount }));
  return buildJobGraph(shares, spec.dependencies ?? [], withReduce);
}
