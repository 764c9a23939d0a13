import { Hono } from 'hono';
import { z } from 'zod';
import { QuarantineBody, type Stats, type WorkerList } from '../../shared/index.js';
import { reputationOf } from '../gateway/index.js';
import { readJson } from './body.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './errors.js';

export const WorkerId = z.string().min(1).max(100);

/** Workers (and their quarantine), statistics and the join URL. */
export function systemRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get('/workers', async (c) => {
    const quarantined = await deps.store.listWorkers({ quarantined: true, limit: 1000 });
    const list: WorkerList = { workers: await deps.gateway.workersWithReputation(), quarantined: quarantined.map(reputationOf) };
    return c.json(list);
  });
  // An admin quarantines a worker (no more work; its replicas revoked, its unchecked results
  // checked again) or releases one (it starts over, checked until trusted).
  for (const [action, quarantine] of [['quarantine', true], ['release', false]] as const) {
    app.post(`/workers/:id/${action}`, async (c) => {
      const id = WorkerId.safeParse(c.req.param('id'));
      if (!id.success) throw new ApiError(400, 'invalid_spec', 'a worker id is 1 to 100 characters');
      const hasBody = (c.req.header('content-length') ?? '0') !== '0';
      const body = QuarantineBody.safeParse(hasBody ? (await readJson(c)).body : {});
      if (!body.success) throw new ApiError(400, 'invalid_spec', `the body may only hold { reason }: ${body.error.issues[0]?.message ?? ''}`);
      const note = body.data.reason ?? (quarantine ? 'quarantined by an admin' : 'released by an admin');
      const record = await deps.scheduler.setQuarantined(id.data, quarantine, note);
      return c.json(reputationOf(record));
    });
  }
  app.get('/join-url', (c) => c.json({ url: joinUrl(deps) }));
  app.get('/stats', async (c) => c.json(await collectStats(deps)));
  return app;
}

export function joinUrl(deps: Pick<ApiDeps, 'publicUrl' | 'joinToken'>): string {
  return `${deps.publicUrl()}/join?token=${encodeURIComponent(deps.joinToken)}`;
}

export async function collectStats(deps: ApiDeps): Promise<Stats> {
  const now = Date.now();
  return {
    jobs: await deps.store.countJobs(),
    tasks: await deps.scheduler.taskCounts(),
    workers: deps.gateway.connectedCount,
    queueDepth: deps.scheduler.queueDepth(),
    ...deps.scheduler.counters,
    tasksPerSecond: deps.scheduler.tasksPerSecond(),
    uptimeSeconds: (now - deps.startedAt) / 1000,
  };
}
