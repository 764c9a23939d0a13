import { Hono, type MiddlewareHandler } from 'hono';
import type { Health } from '../../shared/index.js';
import { blobResponse, blobRoutes } from './blobs.js';
import type { ApiDeps } from './deps.js';
import { ApiError, answerError } from './errors.js';
import { feedRoutes } from './feed.js';
import { noSniff } from './headers.js';
import { requireAdmin, requireJoinToken, type AdminAuth } from './auth.js';
import { jobRoutes } from './jobs.js';
import { prometheusText } from './metrics.js';
import { sessionRoutes } from './session.js';
import { AdminSessions } from './sessions.js';
import { collectStats, systemRoutes } from './system.js';
import { webRoutes } from './web.js';

export interface AppOptions {
  /** Folder of the built web apps. */
  webRoot: string;
  /** The worker socket handler; absent when the app is driven in-process without sockets. */
  workerSocket?: MiddlewareHandler;
}

/**
 * The coordinator's HTTP face: REST under `/api/v1` (admin token, or the admin panel's session
 * cookie from `/api/v1/session`), the worker socket and blob
 * downloads under `/api/v1/worker` (join token), and the web apps.
 */
export function createApp(deps: ApiDeps, options: AppOptions): Hono {
  const app = new Hono();
  app.use('*', noSniff());
  app.onError(answerError);
  app.notFound((c) => answerError(new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`), c));

  const health: Health = { ok: true, role: 'active' };
  app.get('/api/v1/health', (c) => c.json(health));
  // Load balancers send work to the coordinator that answers 200 here: the active one (a standby answers 503).
  app.get('/readyz', (c) => c.json({ ready: true, role: 'active' }));

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
    c.text(prometheusText(await collectStats(deps)), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  );

  app.route('/', webRoutes(options.webRoot));
  return app;
}
