import type { AddressInfo } from 'node:net';
import { joinUrl } from './api/system.js';
import { createHttpServer, listen } from './http-server.js';
import { resolveOptions, type CoordinatorOptions } from './options.js';
import { Role, type RoleName } from './role.js';
import { loadSecrets } from './secrets.js';
import { startServing, type Serving } from './serving.js';
import { standbyHandlers } from './standby.js';
import { openStore } from './store/index.js';

/** A running coordinator. */
export interface Coordinator {
  url: string;
  joinUrl: string;
  adminUrl: string;
  adminToken: string;
  /** True when this start generated the admin token (and saved it in the store). */
  adminTokenCreated: boolean;
  /** Active (serving) or standby (another coordinator on its store is active). */
  role(): RoleName;
  close(): Promise<void>;
}

/**
 * Starts a coordinator on its store: the embedded SQLite file in `dataDir`, or the PostgreSQL
 * database `database` names. It listens at once; it serves once it holds the store's lease (at
 * once on SQLite, or when no other coordinator on the database is active), and stands by until then.
 * @example
 * const coordinator = await startCoordinator({ dataDir: './.tabgrid', port: 0 });
 * console.log(coordinator.joinUrl);
 */
export async function startCoordinator(input: CoordinatorOptions): Promise<Coordinator> {
  const options = resolveOptions(input);
  const log = options.logger;
  const store = await openStore(options.database, options.dataDir, log);
  const secrets = await loadSecrets(store, options.dataDir, options.adminToken ?? process.env.TABGRID_ADMIN_TOKEN);
  let publicUrl = options.publicUrl ?? '';
  let serving: Serving | undefined;
  const standby = standbyHandlers();
  const server = createHttpServer(() => serving?.handlers ?? standby);
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  publicUrl ||= `http://${displayHost(options.host)}:${port}`;

  let started = false;
  const role = new Role(store.lease, options.failoverMs, {
    async becameActive(token) {
      // A takeover: this process stood by first, or another held the lease before (it died, and
      // this one, starting, took the lease before the standby did).
      const tookOver = started || token > 1;
      serving = await startServing(store, options, secrets, () => publicUrl, tookOver);
      if (tookOver) log.info({ role: 'active', url: publicUrl }, 'took over: active');
    },
    async becameStandby() {
      const ended = serving;
      serving = undefined;
      // Streams that follow a job (events, logs) never end by themselves: end them, so that their
      // clients reconnect to whoever serves next.
      server.closeAllConnections();
      await ended?.close();
    },
  }, log);
  await role.start();
  started = true;
  const urls = { url: publicUrl, joinUrl: joinUrl({ publicUrl: () => publicUrl, joinToken: secrets.joinToken }), adminUrl: `${publicUrl}/admin` };
  log.info({ ...urls, role: serving ? 'active' : 'standby' }, 'coordinator started');
  if (!serving) log.info({ role: 'standby' }, 'standing by: another coordinator holds the store’s lease; taking over when it is gone');

  return {
    ...urls,
    adminToken: secrets.adminToken,
    adminTokenCreated: secrets.adminTokenCreated,
    // Active once it serves (the lease is taken a moment before the live state is rebuilt).
    role: () => (serving ? 'active' : 'standby'),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await role.stop();
      server.closeAllConnections();
      await closed;
      await store.close();
      log.info('coordinator stopped');
    },
  };
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
