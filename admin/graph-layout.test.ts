import { describe, expect, test } from 'vitest';
import { layoutGraph } from './graph-layout.js';

describe('layoutGraph', () => {
  test('places a diamond left to right: each node after those it waits for, every edge routed', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((key) => ({ key, label: key, tone: 't-done' }));
    const layout = layoutGraph(nodes, [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'd'],
      ['c', 'd'],
      ['d', 'missing'],
    ]);
    const x = Object.fromEntries(layout.nodes.map((node) => [node.key, node.x]));
    expect(x['a']).toBeLessThan(x['b']!);
    expect(x['b']).toBe(x['c']);
    expect(x['c']).toBeLessThan(x['d']!);
    expect(layout.edges.map((edge) => `${edge.from}${edge.to}`)).toEqual(['ab', 'ac', 'bd', 'cd']);
    for (const edge of layout.edges) expect(edge.path).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
    expect(layout.width).toBeGreaterThan(Math.max(...layout.nodes.map((node) => node.x)));
  });

  test('frames every node and every routed edge, long edges that dagre routes above the nodes too', () => {
    // A pipeline of diamonds whose every task also feeds a reduce step (8): dagre routes the long
    // edges into 8 outside its own bounds.
    const nodes = Array.from({ length: 9 }, (_, index) => ({ key: String(index), label: String(index), tone: 't-done' }));
    const edges: [number, number][] = [[0, 1], [0, 2], [1, 3], [2, 3], [3, 4], [3, 5], [4, 6], [5, 6], [6, 7]];
    for (let index = 0; index < 8; index += 1) edges.push([index, 8]);
    const layout = layoutGraph(nodes, edges.map(([from, to]) => [String(from), String(to)] as const));
    for (const node of layout.nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.y - node.height / 2).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(layout.height);
    }
    for (const edge of layout.edges) {
      for (const [, x, y] of edge.path.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)) {
        expect(Number(x)).toBeGreaterThanOrEqual(0);
        expect(Number(y)).toBeGreaterThanOrEqual(0);
        expect(Number(x)).toBeLessThanOrEqual(layout.width);
        expect(Number(y)).toBeLessThanOrEqual(layout.height);
      }
    }
  });
});
