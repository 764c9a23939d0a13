/** A directed edge `[from, to]`: `to` runs only after `from` is done. */
export type Edge = readonly [number, number];

/**
 * Finds a cycle in a graph of `size` nodes, as the list of nodes around it
 * (`[3, 7, 3]` for 3→7→3), or undefined if the graph is acyclic.
 * @example findCycle(3, [[0, 1], [1, 2], [2, 0]]) // [0, 1, 2, 0]
 */
export function findCycle(size: number, edges: readonly Edge[]): number[] | undefined {
  if (edges.length === 0) return undefined;
  const next = grouped(size, edges, 0);
  // 0 = unvisited, 1 = on the current path, 2 = finished
  const mark = new Uint8Array(size);
  const parent = new Int32Array(size).fill(-1);
  for (let root = 0; root < size; root++) {
    if (mark[root] !== 0) continue;
    const stack: { node: number; edge: number }[] = [{ node: root, edge: 0 }];
    mark[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const successors = next[top.node]!;
      if (top.edge === successors.length) {
        mark[top.node] = 2;
        stack.pop();
        continue;
      }
      const successor = successors[top.edge++]!;
      if (mark[successor] === 1) return unwind(parent, top.node, successor);
      if (mark[successor] === 0) {
        mark[successor] = 1;
        parent[successor] = top.node;
        stack.push({ node: successor, edge: 0 });
      }
    }
  }
  return undefined;
}

/**
 * Predecessors of each node, deduplicated.
 * @example predecessors(3, [[0, 2], [1, 2]]) // [[], [], [0, 1]]
 */
export function predecessors(size: number, edges: readonly Edge[]): number[][] {
  return grouped(size, edges, 1).map((group) => (group.length > 1 ? [...new Set(group)].sort((a, b) => a - b) : group));
}

/**
 * Successors of each node, deduplicated, in the order first seen.
 * @example successors(3, [[0, 2], [0, 1], [0, 2]]) // [[2, 1], [], []]
 */
export function successors(size: number, edges: readonly Edge[]): number[][] {
  return grouped(size, edges, 0).map((group) => (group.length > 1 ? [...new Set(group)] : group));
}

/** Shared by every node without edges (frozen): a million nodes need not hold a million empty arrays. */
const NONE = Object.freeze([]) as unknown as number[];

/** For each node, the other ends of the edges whose end `at` (0: from, 1: to) it is, with repeats. */
function grouped(size: number, edges: readonly Edge[], at: 0 | 1): number[][] {
  const groups = new Array<number[]>(size).fill(NONE);
  for (const edge of edges) {
    const node = edge[at];
    if (groups[node] === NONE) groups[node] = [];
    groups[node]!.push(edge[1 - at]!);
  }
  return groups;
}

function unwind(parent: Int32Array, from: number, to: number): number[] {
  const cycle = [to];
  for (let node = from; node !== to; node = parent[node]!) cycle.push(node);
  cycle.push(to);
  return cycle.reverse();
}
