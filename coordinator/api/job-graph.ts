import { MAX_GRAPH_TASKS, type TaskGraph } from '../../shared/index.js';
import { rebuildGraph } from '../scheduler/index.js';
import type { ApiDeps } from './deps.js';
import { notFound } from './errors.js';

/**
 * A job's task graph as the panel draws it: from memory while the job is live, else rebuilt from
 * its spec and its tasks' places (as a restart does); nothing for a job too big to draw.
 */
export async function loadTaskGraph(deps: ApiDeps, id: string): Promise<TaskGraph> {
  const live = deps.scheduler.liveJob(id);
  if (live) return graphOf(live.graph.taskPredecessors);
  const summary = await deps.store.getJobSummary(id);
  if (!summary) throw notFound(`job ${id}`);
  if (summary.taskCount > MAX_GRAPH_TASKS) return { tasks: summary.taskCount, edges: [], tooLarge: true };
  const job = await deps.store.getJob(id);
  if (!job) throw notFound(`job ${id}`);
  return graphOf(rebuildGraph(job.spec, await deps.store.listTaskShapes(id)).taskPredecessors);
}

function graphOf(predecessors: readonly (readonly number[])[]): TaskGraph {
  const tasks = predecessors.length;
  if (tasks > MAX_GRAPH_TASKS) return { tasks, edges: [], tooLarge: true };
  const edges: [number, number][] = [];
  predecessors.forEach((froms, to) => {
    for (const from of froms) edges.push([from, to]);
  });
  return { tasks, edges, tooLarge: false };
}
