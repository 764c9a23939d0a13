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
});
