import { describe, expect, it } from 'vitest';
import { findCycle, predecessors } from './dag.js';

describe('findCycle', () => {
  it('finds nothing in a DAG', () => {
    expect(findCycle(4, [[0, 1], [1, 2], [0, 2], [2, 3]])).toBeUndefined();
    expect(findCycle(3, [])).toBeUndefined();
  });

  it('names the nodes around a cycle, first node repeated at the end', () => {
    expect(findCycle(3, [[0, 1], [1, 2], [2, 0]])).toEqual([0, 1, 2, 0]);
    expect(findCycle(5, [[3, 4], [0, 1], [1, 2], [2, 1]])).toEqual([1, 2, 1]);
  });

  it('treats a self-loop as a cycle', () => {
    expect(findCycle(2, [[1, 1]])).toEqual([1, 1]);
  });

  it('handles long chains without recursion limits', () => {
    const edges = Array.from({ length: 99_999 }, (_, i) => [i, i + 1] as const);
    expect(findCycle(100_000, edges)).toBeUndefined();
    expect(findCycle(100_000, [...edges, [99_999, 0]])).toHaveLength(100_001);
  });
});

describe('predecessors', () => {
  it('lists each node’s predecessors once, sorted', () => {
    expect(predecessors(3, [[1, 2], [0, 2], [1, 2]])).toEqual([[], [], [0, 1]]);
  });
});
