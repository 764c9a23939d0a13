import { describe, expect, it } from 'vitest';
import type { Edge } from '../dag.js';
import { InvalidSpecError, buildJobGraph, type TaskShare } from './index.js';

/** Shares of `units` items in chunks of `chunkSize`. */
function chunked(units: number, chunkSize: number): TaskShare[] {
  const shares: TaskShare[] = [];
  for (let first = 0; first < units; first += chunkSize) {
    shares.push({ input: null, firstItem: first, itemCount: Math.min(chunkSize, units - first) });
  }
  return shares;
}

function refusal(shares: TaskShare[], edges: Edge[], withReduce = false): InvalidSpecError {
  try {
    buildJobGraph(shares, edges, withReduce);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSpecError);
    return error as InvalidSpecError;
  }
  throw new Error('expected the graph to be refused');
}

describe('buildJobGraph', () => {
  it('maps item dependencies onto the tasks that hold the items', () => {
    // Tasks: 0 = items 0-1, 1 = items 2-3, 2 = items 4-5.
    const graph = buildJobGraph(chunked(6, 2), [[1, 2], [0, 5], [3, 4], [0, 1]], false);
    expect(graph.taskPredecessors).toEqual([[], [0], [0, 1]]);
    expect(graph.taskSuccessors.map((next) => [...next].sort())).toEqual([[1, 2], [2], []]);
    // Item-level edges are kept for ctx (the within-task edge 0 → 1 too).
    expect(Object.fromEntries(graph.unitPredecessors)).toEqual({ 1: [0], 2: [1], 4: [3], 5: [0] });
  });

  it('deduplicates edges, and has no edges without dependencies', () => {
    const graph = buildJobGraph(chunked(4, 2), [[0, 2], [1, 3], [0, 2]], false);
    expect(graph.taskPredecessors).toEqual([[], [0]]);
    expect(graph.unitPredecessors.get(2)).toEqual([0]);
    const plain = buildJobGraph(chunked(3, 1), [], false);
    expect(plain).toEqual({ taskPredecessors: [[], [], []], taskSuccessors: [[], [], []], unitPredecessors: new Map() });
  });

  it('refuses a cycle, naming the items around it', () => {
    const error = refusal(chunked(5, 1), [[0, 1], [1, 3], [3, 4], [4, 1]]);
    expect(error.path).toBe('dependencies');
    expect(error.reason).toBe('cycle 1 → 3 → 4 → 1');
    expect(error.message).toContain('1 → 3 → 4 → 1');
    expect(refusal(chunked(3, 1), [[2, 2]]).reason).toBe('cycle 2 → 2');
  });

  it('refuses an unknown item index, naming the edge and the job size', () => {
    const error = refusal(chunked(4, 2), [[0, 1], [2, 4]]);
    expect(error.path).toBe('dependencies.1');
    expect(error.reason).toBe('item 4 does not exist (the job has 4)');
  });

  it('refuses an item that waits for a later item of its own task, and takes an earlier one', () => {
    const error = refusal(chunked(4, 2), [[3, 2]]);
    expect(error.path).toBe('dependencies');
    expect(error.reason).toMatch(/item 2 waits for item 3, which comes after it in the same task: use a smaller chunkSize/);
    expect(buildJobGraph(chunked(4, 2), [[2, 3]], false).taskPredecessors).toEqual([[], []]);
  });

  it('refuses dependencies that chunking turns into a task cycle', () => {
    // Items 0 → 2 and 3 → 1: no item cycle, but task 0 waits for task 1 and task 1 for task 0.
    const error = refusal(chunked(4, 2), [[0, 2], [3, 1]]);
    expect(error.reason).toMatch(/chunking makes tasks wait for each other: 0 → 1 → 0; use a smaller chunkSize/);
    expect(buildJobGraph(chunked(4, 1), [[0, 2], [3, 1]], false).taskPredecessors).toEqual([[], [3], [0], []]);
  });

  it('adds a reduce task that waits for every other task', () => {
    const graph = buildJobGraph(chunked(5, 2), [[0, 4]], true);
    expect(graph.taskPredecessors).toEqual([[], [], [0], [0, 1, 2]]);
    expect(graph.taskSuccessors.map((next) => [...next].sort())).toEqual([[2, 3], [3], [3], []]);
  });
});
