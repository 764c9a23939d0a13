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
const MARGIN = 8;

/**
 * Lays a dependency graph out left to right with dagre: each node placed (its centre), each edge
 * routed around the nodes. Edges naming a node that is not given are left out.
 * @example layoutGraph([{ key: 'a', label: 'a', tone: 'done' }, { key: 'b', label: 'b', tone: 'ready' }], [['a', 'b']]).edges.length // 1
 */
export function layoutGraph(nodes: readonly GraphNode[], edges: readonly (readonly [string, string])[]): GraphLayout {
  const graph = new Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 40, marginx: MARGIN, marginy: MARGIN });
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
  const routes = kept.map(([from, to]) => ({ from, to, points: graph.edge(from, to).points ?? [] }));
  // dagre's own bounds leave out where it routes long edges (around the nodes, above them too):
  // the picture is framed on every node and every point, with a margin.
  const xs = [...placed.flatMap((node) => [node.x - node.width / 2, node.x + node.width / 2]), ...routes.flatMap((route) => route.points.map((point) => point.x))];
  const ys = [...placed.flatMap((node) => [node.y - node.height / 2, node.y + node.height / 2]), ...routes.flatMap((route) => route.points.map((point) => point.y))];
  const left = Math.min(...xs) - MARGIN;
  const top = Math.min(...ys) - MARGIN;
  const routed = routes.map(({ from, to, points }) => ({
    from,
    to,
    path: points.map((point, at) => `${at === 0 ? 'M' : 'L'}${(point.x - left).toFixed(1)},${(point.y - top).toFixed(1)}`).join(' '),
  }));
  return {
    nodes: placed.map((node) => ({ ...node, x: node.x - left, y: node.y - top })),
    edges: routed,
    width: placed.length === 0 ? 0 : Math.max(...xs) + MARGIN - left,
    height: placed.length === 0 ? 0 : Math.max(...ys) + MARGIN - top,
  };
}
