import { Hono, type MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Health, Readiness } from '../../shared/index.js';
import { SILENT_LOG, type Logger } from '../log.js';
import { blobResponse, blobRoutes } from './blobs.js';
import type { ApiDeps } from './deps.js';
import { docsRoutes } from './docs.js';
import { ApiError, answerError } from './errors.js';
import { feedRoutes } from './feed.js';
import { noSniff } from './headers.js';
import { requireAdmin, requireJoinToken, type AdminAuth } from './auth.js';
import { jobRoutes } from './jobs.js';
import { apiDocument } from './openapi.js';
import { logRequests } from './request-log.js';
import { sessionRoutes } from './session.js';
import { AdminSessions } from './sessions.js';
import { collectStats, systemRoutes } from './system.js';
import { webRoutes } from './web.js';

export interface AppOptions {
  /** Folder of the built web apps. */
  webRoot: string;
  /** The worker socket handler; absent when the app is driven in-process without sockets. */
  workerSocket?: MiddlewareHandler;
  /** Where requests and unexpected errors are logged. @default SILENT_LOG */
  log?: Logger;
}

/**
 * The coordinator's HTTP face: REST under `/api/v1` (admin token, or the admin panel's session
 * cookie from `/api/v1/session`), described at `/api/v1/openapi.json` and `/api/docs`; the worker
 * socket and blob downloads under `/api/v1/worker` (join token); and the web apps. Every error
 * answer is problem details (`answerError`).
 */
export function createApp(deps: ApiDeps, options: AppOptions): Hono {
  const app = new Hono();
  app.use('*', ...logRequests(options.log ?? SILENT_LOG));
  app.use('*', countRequests(deps));
  app.use('*', noSniff());
  app.onError(answerError);
  app.notFound((c) => answerError(new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`), c));

  const health: Health = { ok: true, role: 'active' };
  app.get('/api/v1/health', (c) => c.json(health));
  // Load balancers send work to the coordinator that answers 200 here: the active one (a standby answers 503).
  app.get('/readyz', (c) => c.json({ ready: true, role: 'active' } satisfies Readiness));
  // The API description and its reference page need no credentials: they describe, they hold nothing.
  app.route('/', docsRoutes(options.webRoot, apiDocument));

  const worker = new Hono();
  worker.use('*', requireJoinToken(deps.joinToken));
  worker.get('/blobs/:sha', (c) => blobResponse(deps, c.req.param('sha'), c.req.header('range')));
  if (options.workerSocket) worker.get('/', options.workerSocket);
  app.route('/api/v1/worker', worker);

  // Admin panel logins live as long as this app: a restart means logging in again.
  const auth: AdminAuth = { adminToken: deps.adminToken, sessions: new AdminSessions(), publicUrl: deps.publicUrl };
  app.route('/api/v1/session', sessionRoutes(auth));

  const admin = new Hono();
  admin.use('*', requireAdmin(auth));
  admin.route('/jobs', jobRoutes(deps));
  admin.route('/blobs', blobRoutes(deps));
  admin.route('/', systemRoutes(deps));
  admin.route('/', feedRoutes(deps));
  app.route('/api/v1', admin);

  app.get('/metrics', requireAdmin(auth), async (c) =>
    c.text(await deps.metrics.exposition(await collectStats(deps), deps.gateway.workers()), 200, { 'content-type': deps.metrics.contentType }),
  );

  app.route('/', webRoutes(options.webRoot));
  return app;
}

/** Counts and times every request by method, matched route pattern and status (the metrics). */
function countRequests(deps: ApiDeps): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    deps.metrics.httpRequest(c.req.method, routePath(c, -1), c.res.status, (performance.now() - started) / 1000);
  };
}
