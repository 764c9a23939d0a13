import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from 'parse-prometheus-text-format';
import { z } from 'zod';
import { DOUBLE_CODE, serverCaller, useRealServers } from '../test-helpers.js';

// The coordinator's Prometheus metrics over a real server and a real worker socket: the histograms
// observe real asks, queue waits and runs (read with a Prometheus text parser); HTTP requests are counted by route; and the Grafana
// dashboard in the repository queries only metrics the coordinator really exports.

const { start, connectWorker } = useRealServers();

/** The families of an exposition text, by name, as a Prometheus text parser reads them. */
function families(text: string): Map<string, PrometheusFamily> {
  return new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
}

/** The sample of `family` whose labels are `labels` (all of them, none left over). */
function sample(parsed: Map<string, PrometheusFamily>, family: string, labels: Record<string, string> = {}): PrometheusSample | undefined {
  const same = (found: Record<string, string> = {}) => Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([key, value]) => found[key] === value);
  return parsed.get(family)?.metrics.find((metric) => same(metric.labels));
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

    const metrics = families(await (await call('GET', '/metrics')).text());
    for (const histogram of ['tabgrid_ask_to_lease_seconds', 'tabgrid_task_queue_wait_seconds', 'tabgrid_task_run_seconds']) {
      expect(metrics.get(histogram)?.type, histogram).toBe('HISTOGRAM');
      expect(sample(metrics, histogram), histogram).toMatchObject({ count: '2', buckets: expect.objectContaining({ '+Inf': '2' }) as unknown });
    }
    expect(Number(sample(metrics, 'tabgrid_task_run_seconds')!.sum)).toBeGreaterThan(0);
    expect(sample(metrics, 'tabgrid_workers', { runtime: 'node', backend: 'unmeasured' })?.value).toBe('1');
    expect(metrics.get('tabgrid_http_requests_total')?.type).toBe('COUNTER');
    expect(sample(metrics, 'tabgrid_http_requests_total', { method: 'POST', route: '/api/v1/jobs', status: '201' })?.value).toBe('1');
    // The route is the pattern, not the path: one label value for every job id.
    expect(sample(metrics, 'tabgrid_http_requests_total', { method: 'GET', route: '/api/v1/jobs/:id', status: '404' })?.value).toBe('1');
    expect(metrics.get('process_resident_memory_bytes')?.type).toBe('GAUGE');
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
        const type = (exported.get(name) ?? exported.get(family))?.type;
        expect(type, `${name} in "${expr}"`).toBeDefined();
        if (name !== family && !exported.has(name)) expect(type, `${name} is a histogram's series`).toBe('HISTOGRAM');
      }
    }
    const all = exprs.join('\n');
    for (const needed of ['tabgrid_task_run_seconds_count', 'histogram_quantile(0.99', 'tabgrid_ask_to_lease_seconds_bucket', 'tabgrid_queue_depth', 'tabgrid_workers']) {
      expect(all).toContain(needed);
    }
  });
});
