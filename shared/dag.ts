/** A directed edge `[from, to]`: `to` runs only after `from` is done. */
export type Edge = readonly [number, number];

/**
 * Finds a cycle in a graph of `size` nodes, as the list of nodes around it
 * (`[3, 7, 3]` for 3→7→3), or undefined if the graph is acyclic.
 * @example findCycle(3, [[0, 1], [1, 2], [2, 0]]) // [0, 1, 2, 0]
 */
export function findCycle(size: number, edges: readonly Edge[]): number[] | undefined {
  const next = adjacency(size, edges);
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
  const sets = Array.from({ length: size }, () => new Set<number>());
  for (const [from, to] of edges) sets[to]!.add(from);
  return sets.map((set) => [...set].sort((a, b) => a - b));
}

function adjacency(size: number, edges: readonly Edge[]): number[][] {
  const next = Array.from({ length: size }, (): number[] => []);
  for (const [from, to] of edges) next[from]!.push(to);
  return next;
}

function unwind(parent: Int32Array, from: number, to: number): number[] {
  const cycle = [to];
  for (let node = from; node !== to; node = parent[node]!) cycle.push(node);
  cycle.push(to);
  return cycle.reverse();
}
