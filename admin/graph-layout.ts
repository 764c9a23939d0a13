import * as dagre from '@dagrejs/dagre';

/**
 * The part of dagre's graph this file uses. dagre's own declarations do not resolve under this
 * project's NodeNext module resolution (their relative imports lack extensions), so they are
 * written out here.
 */
interface DagreGraph {
  setGraph(label: { rankdir: string; nodesep: number; ranksep: number; marginx: number; marginy: number }): void;
  setDefaultEdgeLabel(label: () => object): void;
  setNode(key: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string): void;
  node(key: string): { x: number; y: number; width: number; height: number };
  edge(from: string, to: string): { points?: { x: number; y: number }[] };
  graph(): { width?: number; height?: number };
}
const Graph = dagre.Graph as unknown as new () => DagreGraph;
const layout = dagre.layout as unknown as (graph: DagreGraph) => void;

/** A node to draw: its key, its words, the class that colours it. */
export interface GraphNode {
  key: string;
  label: string;
  tone: string;
}

export interface PlacedNode extends GraphNode {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** An SVG path through the points dagre routed the edge along. */
  path: string;
}

export interface GraphLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

const NODE_HEIGHT = 32;
const CHAR_WIDTH = 7.5;

/**
 * Lays a dependency graph out left to right with dagre: each node placed (its centre), each edge
 * routed around the nodes. Edges naming a node that is not given are left out.
 * @example layoutGraph([{ key: 'a', label: 'a', tone: 'done' }, { key: 'b', label: 'b', tone: 'ready' }], [['a', 'b']]).edges.length // 1
 */
export function layoutGraph(nodes: readonly GraphNode[], edges: readonly (readonly [string, string])[]): GraphLayout {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 40, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) graph.setNode(node.key, { width: Math.max(48, node.label.length * CHAR_WIDTH + 20), height: NODE_HEIGHT });
  const known = new Set(nodes.map((node) => node.key));
  const kept = edges.filter(([from, to]) => known.has(from) && known.has(to));
  for (const [from, to] of kept) graph.setEdge(from, to);
  layout(graph);
  const placed = nodes.map((node) => {
    const { x, y, width, height } = graph.node(node.key);
    return { ...node, x, y, width, height };
  });
  const routed = kept.map(([from, to]) => {
    const points = graph.edge(from, to).points ?? [];
    return { from, to, path: points.map((point, at) => `${at === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ') };
  });
  const { width = 0, height = 0 } = graph.graph();
  return { nodes: placed, edges: routed, width, height };
}
