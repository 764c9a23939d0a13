import { createNodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import { createApp } from './api/app.js';
import type { ApiDeps } from './api/deps.js';
import { Metrics } from './api/metrics.js';
import { currentNumbers, StatsHistory } from './api/stats-history.js';
import { ensureErrorEvent } from './error-event.js';
import { WorkerGateway } from './gateway/index.js';
import { appHandlers, type HttpHandlers } from './http-server.js';
import { logJobEvents } from './job-log.js';
import type { ResolvedOptions } from './options.js';
import { Scheduler } from './scheduler/index.js';
import type { Secrets } from './secrets.js';
import { createSignalling } from './signalling/index.js';
import type { Store } from './store/index.js';
import { workerSocketHandler } from './worker-socket.js';

/** An active coordinator's term: its live state rebuilt from the store, and what answers requests. */
export interface Serving {
  readonly handlers: HttpHandlers;
  readonly deps: ApiDeps;
  /** Ends the term: every worker socket closed, the live state dropped. */
  close(): Promise<void>;
}

/**
 * Starts serving on `store`: reads the live state from it (the scheduler repairs nothing) and
 * builds the app. A term that began by taking over from another coordinator says when it sent
 * its first lease (how long the grid went without one).
 */
export async function startServing(store: Store, options: ResolvedOptions, secrets: Secrets, publicUrl: () => string, tookOver: boolean): Promise<Serving> {
  const metrics = new Metrics();
  const log = options.logger;
  const scheduler = await Scheduler.open(store, { ...options, observer: metrics, log, signalling: { path: '/peerjs', key: secrets.peerKey, iceServers: options.iceServers } });
  const stopJobLog = logJobEvents(scheduler.feed, store, log);
  const signalling = createSignalling({ key: secrets.peerKey, isIssued: (id) => scheduler.isIssuedPeer(id) });
  const servingSince = Date.now();
  const gateway = new WorkerGateway(scheduler, {
    ...options,
    observer: metrics,
    log,
    onFirstLease: () => {
      if (tookOver) log.info({ msAfterTakeover: Date.now() - servingSince }, 'first lease since taking over');
    },
  });
  const deps: ApiDeps = {
    store,
    scheduler,
    gateway,
    adminToken: secrets.adminToken,
    joinToken: secrets.joinToken,
    publicUrl,
    limits: options,
    startedAt: Date.now(),
    history: new StatsHistory(() => currentNumbers(scheduler, gateway)),
    metrics,
  };
  deps.history.start();

  // The socket upgrade is routed through the app (so the join token is checked), and the app
  // needs the upgrade handler: break the cycle with a late-bound `request`.
  const built: { app?: Hono } = {};
  const lateApp = { request: (...args: Parameters<Hono['request']>) => built.app!.request(...args) };
  ensureErrorEvent();
  const ws = createNodeWebSocket({ app: lateApp as unknown as Hono });
  ws.wss.options.maxPayload = options.maxMessageBytes;
  const app = (built.app = createApp(deps, { webRoot: options.webRoot, workerSocket: workerSocketHandler(ws.upgradeWebSocket, gateway, log), log }));

  const sweeper = setInterval(() => {
    scheduler.sweep().catch((error: unknown) => log.error({ err: error }, 'lease sweep failed'));
  }, Math.min(1000, Math.max(50, Math.floor(options.leaseMs / 10))));

  return {
    handlers: appHandlers(app, ws, signalling),
    deps,
    async close() {
      clearInterval(sweeper);
      deps.history.stop();
      gateway.closeAll();
      signalling.close();
      await scheduler.close();
      stopJobLog();
    },
  };
}
