import { taskMapStates, type JobStatus } from '../shared/index.js';
import type { AdminClient } from './client.js';
import { layoutGraph, type GraphLayout, type GraphNode } from './graph-layout.js';
import { useLoad } from './load.js';
import { go } from './route.js';

/**
 * The job's dependency graphs: the jobs it waits for (`dependsOn`), and its task graph when its
 * tasks depend on each other (a DAG, or a reduce step), nodes coloured by state. A node opens its
 * job or task.
 */
export function JobGraphView({ client, job, round, onOpenTask }: { client: AdminClient; job: JobStatus; round: number; onOpenTask: (index: number) => void }) {
  const dependsOn = job.spec?.dependsOn ?? [];
  const jobs = useLoad(() => Promise.all(dependsOn.map((id) => client.job(id).catch(() => undefined))), [job.id, dependsOn.join(','), round]);
  const tasks = useLoad(async () => {
    const graph = await client.graph(job.id);
    if (graph.tooLarge || graph.edges.length === 0) return { graph, states: [] };
    return { graph, states: taskMapStates(await client.taskMap(job.id, graph.tasks)) };
  }, [job.id, round]);

  const jobLayout = dependsOn.length === 0 ? undefined : layoutGraph(
    [...dependsOn.map((id, at): GraphNode => ({ key: id, label: jobs.value?.[at]?.name ?? id, tone: `state-${jobs.value?.[at]?.state ?? 'unknown'}` })), { key: job.id, label: job.name, tone: `state-${job.state}` }],
    dependsOn.map((id) => [id, job.id] as const),
  );
  const taskGraph = tasks.value;
  const taskLayout =
    taskGraph && taskGraph.graph.edges.length > 0
      ? layoutGraph(
          Array.from({ length: taskGraph.graph.tasks }, (_, index): GraphNode => ({ key: String(index), label: `${index}`, tone: `t-${taskGraph.states[index] ?? 'blocked'}` })),
          taskGraph.graph.edges.map(([from, to]) => [String(from), String(to)] as const),
        )
      : undefined;
  if (!jobLayout && !taskLayout && !taskGraph?.graph.tooLarge) return null;
  return (
    <section aria-labelledby="graph-title">
      <h2 id="graph-title">Dependencies</h2>
      {jobLayout && <GraphPicture title="Jobs this job waits for" layout={jobLayout} onOpen={(key) => key !== job.id && go({ view: 'job', id: key })} describe={(node) => `Job ${node.label}: ${node.tone.replace('state-', '')}`} />}
      {taskLayout && <GraphPicture title="Task graph" layout={taskLayout} onOpen={(key) => onOpenTask(Number(key))} describe={(node) => `Task ${node.label}: ${node.tone.replace('t-', '')}`} />}
      {taskGraph?.graph.tooLarge && <p class="note">The task graph of {taskGraph.graph.tasks} tasks is too big to draw here.</p>}
    </section>
  );
}

function GraphPicture({ title, layout, onOpen, describe }: { title: string; layout: GraphLayout; onOpen: (key: string) => void; describe: (node: GraphNode) => string }) {
  const arrow = `arrow-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <figure class="graph">
      <figcaption>{title}</figcaption>
      <div class="graph-box">
        <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`} role="group" aria-label={title}>
          <defs>
            <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
            </marker>
          </defs>
          {layout.edges.map((edge) => (
            <path key={`${edge.from}-${edge.to}`} d={edge.path} class="edge" marker-end={`url(#${arrow})`} />
          ))}
          {layout.nodes.map((node) => (
            <g
              key={node.key}
              class={`node ${node.tone}`}
              transform={`translate(${node.x - node.width / 2},${node.y - node.height / 2})`}
              role="button"
              tabIndex={0}
              aria-label={describe(node)}
              onClick={() => onOpen(node.key)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  onOpen(node.key);
                }
              }}
            >
              <rect width={node.width} height={node.height} rx={6} />
              <text x={node.width / 2} y={node.height / 2} dominant-baseline="middle" text-anchor="middle">
                {node.label}
              </text>
            </g>
          ))}
        </svg>
      </div>
    </figure>
  );
}
