import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DOUBLE_CODE, serverCaller, useRealServers } from '../test-helpers.js';

// The coordinator's Prometheus metrics over a real server and a real worker socket: the histograms
// observe real asks, queue waits and runs; HTTP requests are counted by route; and the Grafana
// dashboard in the repository queries only metrics the coordinator really exports.

const { start, connectWorker } = useRealServers();

/** `# TYPE name type` of each family in an exposition text. */
function families(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1]!, match[2]!]));
}

/** The value of the sample line `name{labels}` (labels as written, or none). */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  it('observes each ask, queue wait and run in histograms, counts HTTP requests by route, and shows workers by runtime', async () => {
    const coordinator = await start();
    const call = serverCaller(coordinator);
    const submitted = await call('POST', '/api/v1/jobs', { json: { name: 'measured', code: DOUBLE_CODE, input: { items: [1, 2] } } });
    expect(submitted.status).toBe(201);
    const worker = await connectWorker(coordinator);
    await worker.hello();
    for (const count of [1, 2]) {
      worker.send({ type: 'ask' });
      const lease = await worker.received.waitFor('lease', count);
      worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [0] });
      await worker.received.waitFor('ack', count);
    }
    await call('GET', '/api/v1/jobs/job_nope');

    const text = await (await call('GET', '/metrics')).text();
    expect(sample(text, 'tabgrid_ask_to_lease_seconds_count')).toBe(2);
    expect(sample(text, 'tabgrid_task_queue_wait_seconds_count')).toBe(2);
    expect(sample(text, 'tabgrid_task_run_seconds_count')).toBe(2);
    expect(sample(text, 'tabgrid_task_run_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(sample(text, 'tabgrid_workers{runtime="node",backend="unmeasured"}')).toBe(1);
    expect(sample(text, 'tabgrid_http_requests_total{method="POST",route="/api/v1/jobs",status="201"}')).toBe(1);
    // The route is the pattern, not the path: one label value for every job id.
    expect(sample(text, 'tabgrid_http_requests_total{method="GET",route="/api/v1/jobs/:id",status="404"}')).toBe(1);
    expect(families(text).get('process_resident_memory_bytes')).toBe('gauge');
  });
});

const Dashboard = z.object({
  title: z.string(),
  panels: z.array(z.object({ title: z.string(), targets: z.array(z.object({ expr: z.string() })).min(1) })).min(8),
});

describe('deploy/grafana-dashboard.json', () => {
  it('queries only metrics the coordinator exports, and shows throughput, latency quantiles, queue depth and workers', async () => {
    const dashboard = Dashboard.parse(JSON.parse(readFileSync(new URL('../../deploy/grafana-dashboard.json', import.meta.url), 'utf8')));
    const coordinator = await start();
    const exported = families(await (await serverCaller(coordinator)('GET', '/metrics')).text());
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    for (const expr of exprs) {
      const names = [...expr.matchAll(/\b((?:tabgrid|process|nodejs)_[a-z0-9_]+)/g)].map((match) => match[1]!);
      expect(names.length, expr).toBeGreaterThan(0);
      for (const name of names) {
        const family = name.replace(/_(bucket|sum|count)$/, '');
        const type = exported.get(name) ?? exported.get(family);
        expect(type, `${name} in "${expr}"`).toBeDefined();
        if (name !== family && !exported.has(name)) expect(type, `${name} is a histogram's series`).toBe('histogram');
      }
    }
    const all = exprs.join('\n');
    for (const needed of ['tabgrid_task_run_seconds_count', 'histogram_quantile(0.99', 'tabgrid_ask_to_lease_seconds_bucket', 'tabgrid_queue_depth', 'tabgrid_workers']) {
      expect(all).toContain(needed);
    }
  });
});
