import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createNodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import { createApp } from './api/app.js';
import type { ApiDeps } from './api/deps.js';
import { joinUrl } from './api/system.js';
import { ensureErrorEvent } from './error-event.js';
import { WorkerGateway } from './gateway/index.js';
import { createHttpServer, listen } from './http-server.js';
import { createSignalling } from './signalling/index.js';
import { resolveOptions, type CoordinatorOptions } from './options.js';
import { Scheduler } from './scheduler/index.js';
import { openSqliteStore } from './store/index.js';
import { loadSecret } from './tokens.js';
import { workerSocketHandler } from './worker-socket.js';

/** A running coordinator. */
export interface Coordinator {
  url: string;
  joinUrl: string;
  adminUrl: string;
  adminToken: string;
  /** True when this start generated the admin token (and saved it in the data dir). */
  adminTokenCreated: boolean;
  close(): Promise<void>;
}

/**
 * Starts a coordinator on its embedded SQLite store in `dataDir`.
 * @example
 * const coordinator = await startCoordinator({ dataDir: './.tabgrid', port: 0 });
 * console.log(coordinator.joinUrl);
 */
export async function startCoordinator(input: CoordinatorOptions): Promise<Coordinator> {
  const options = resolveOptions(input);
  const admin = await loadSecret(options.dataDir, 'admin-token', options.adminToken ?? process.env.TABGRID_ADMIN_TOKEN);
  const join_ = await loadSecret(options.dataDir, 'join-token');
  const store = await openSqliteStore(join(options.dataDir, 'tabgrid.db'));
  const peerKey = await loadSecret(options.dataDir, 'peer-key');
  const scheduler = await Scheduler.open(store, { ...options, signalling: { path: '/peerjs', key: peerKey.value, iceServers: options.iceServers } });
  const signalling = createSignalling({ key: peerKey.value, isIssued: (id) => scheduler.isIssuedPeer(id) });
  const gateway = new WorkerGateway(scheduler, options);
  let publicUrl = options.publicUrl ?? '';
  const deps: ApiDeps = {
    store,
    scheduler,
    gateway,
    adminToken: admin.value,
    joinToken: join_.value,
    publicUrl: () => publicUrl,
    limits: options,
    startedAt: Date.now(),
  };

  // The socket upgrade is routed through the app (so the join token is checked), and the app
  // needs the upgrade handler: break the cycle with a late-bound `request`.
  const built: { app?: Hono } = {};
  const lateApp = { request: (...args: Parameters<Hono['request']>) => built.app!.request(...args) };
  ensureErrorEvent();
  const ws = createNodeWebSocket({ app: lateApp as unknown as Hono });
  ws.wss.options.maxPayload = options.maxMessageBytes;
  const app = (built.app = createApp(deps, { webRoot: options.webRoot, workerSocket: workerSocketHandler(ws.upgradeWebSocket, gateway) }));

  const server = createHttpServer(app, ws, signalling);
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  publicUrl ||= `http://${displayHost(options.host)}:${port}`;

  const sweeper = setInterval(() => {
    scheduler.sweep().catch((error: unknown) => console.error('lease sweep failed:', error));
  }, Math.min(1000, Math.max(50, Math.floor(options.leaseMs / 10))));

  return {
    url: publicUrl,
    joinUrl: joinUrl(deps),
    adminUrl: `${publicUrl}/admin`,
    adminToken: admin.value,
    adminTokenCreated: admin.created,
    async close() {
      clearInterval(sweeper);
      gateway.closeAll();
      signalling.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Streams that follow a job (events, logs) never end by themselves: end them, so that the
      // server closes and their clients reconnect to whoever serves next.
      server.closeAllConnections();
      await closed;
      await scheduler.close();
      await store.close();
    },
  };
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
