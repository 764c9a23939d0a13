import { findCycle, predecessors, successors, type Edge } from '../dag.js';
import { InvalidSpecError } from './errors.js';
import type { TaskShare } from './partitioner.js';

/** A job's dependency graph at task level, and the item-level edges that tasks pass to `ctx`. */
export interface JobGraph {
  /** Task index → tasks it waits for. */
  taskPredecessors: number[][];
  /** Task index → tasks that wait for it. */
  taskSuccessors: number[][];
  /** Result index (item, or task for range/blob jobs) → result indices it waits for. */
  unitPredecessors: Map<number, number[]>;
}

/**
 * Maps item-level `dependencies` onto tasks, rejecting what cannot run: unknown items, cycles,
 * and dependencies that chunking turns backwards or into cycles. With `reduce`, one more task
 * waits for all the others.
 */
export function buildJobGraph(shares: TaskShare[], edges: readonly Edge[], withReduce: boolean): JobGraph {
  const last = shares[shares.length - 1];
  const units = last ? last.firstItem + last.itemCount : 0;
  edges.forEach(([from, to], position) => {
    for (const index of [from, to]) {
      if (index >= units) throw new InvalidSpecError(`dependencies.${position}`, `item ${index} does not exist (the job has ${units})`);
    }
  });
  const cycle = findCycle(units, edges);
  if (cycle) throw new InvalidSpecError('dependencies', `cycle ${cycle.join(' → ')}`);

  const taskOf = taskOfUnit(shares, units);
  const taskEdges: Edge[] = [];
  for (const [from, to] of edges) {
    const fromTask = taskOf[from]!;
    const toTask = taskOf[to]!;
    if (fromTask !== toTask) taskEdges.push([fromTask, toTask]);
    else if (from >= to) {
      throw new InvalidSpecError('dependencies', `item ${to} waits for item ${from}, which comes after it in the same task: use a smaller chunkSize`);
    }
  }
  const taskCycle = findCycle(shares.length, taskEdges);
  if (taskCycle) {
    throw new InvalidSpecError('dependencies', `chunking makes tasks wait for each other: ${taskCycle.join(' → ')}; use a smaller chunkSize`);
  }
  const taskCount = shares.length + (withReduce ? 1 : 0);
  if (withReduce) for (let task = 0; task < shares.length; task++) taskEdges.push([task, shares.length]);
  return {
    taskPredecessors: predecessors(taskCount, taskEdges),
    taskSuccessors: successors(taskCount, taskEdges),
    unitPredecessors: unitPredecessors(edges),
  };
}

function taskOfUnit(shares: TaskShare[], units: number): Int32Array {
  const taskOf = new Int32Array(units);
  shares.forEach((share, task) => taskOf.fill(task, share.firstItem, share.firstItem + share.itemCount));
  return taskOf;
}

function unitPredecessors(edges: readonly Edge[]): Map<number, number[]> {
  const byUnit = new Map<number, Set<number>>();
  for (const [from, to] of edges) {
    let set = byUnit.get(to);
    if (!set) byUnit.set(to, (set = new Set()));
    set.add(from);
  }
  return new Map([...byUnit].map(([unit, set]) => [unit, [...set].sort((a, b) => a - b)]));
}
