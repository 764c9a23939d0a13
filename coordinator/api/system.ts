import { Hono } from 'hono';
import type { Stats } from '../../shared/index.js';
import type { ApiDeps } from './deps.js';

/** Workers, statistics and the join URL. */
export function systemRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get('/workers', (c) => c.json({ workers: deps.gateway.workers() }));
  app.get('/join-url', (c) => c.json({ url: joinUrl(deps) }));
  app.get('/stats', async (c) => c.json(await collectStats(deps)));
  return app;
}

export function joinUrl(deps: ApiDeps): string {
  return `${deps.publicUrl()}/join?token=${encodeURIComponent(deps.joinToken)}`;
}

export async function collectStats(deps: ApiDeps): Promise<Stats> {
  const now = Date.now();
  return {
    jobs: await deps.store.countJobs(),
    tasks: await countAllTasks(deps),
    workers: deps.gateway.connectedCount,
    queueDepth: deps.scheduler.queueDepth(),
    ...deps.scheduler.counters,
    tasksPerSecond: deps.scheduler.tasksPerSecond(),
    uptimeSeconds: (now - deps.startedAt) / 1000,
  };
}

async function countAllTasks(deps: ApiDeps): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const counts of (await deps.store.countTasks()).values()) {
    for (const [state, count] of Object.entries(counts)) totals[state] = (totals[state] ?? 0) + count;
  }
  return totals;
}
