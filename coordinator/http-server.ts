import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { NodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import type { Signalling } from './signalling/index.js';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** What answers the HTTP server's requests and socket upgrades. */
export interface HttpHandlers {
  request(request: IncomingMessage, response: ServerResponse): void;
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * An active coordinator's answers: the Hono app (REST, worker socket, web apps) and the PeerJS
 * signalling server under its path, for requests and socket upgrades alike.
 */
export function appHandlers(app: Hono, sockets: NodeWebSocket, signalling: Signalling): HttpHandlers {
  const honoRequest = getRequestListener(app.fetch);
  // Hono's socket helper listens for upgrades on whatever it is given: catch its listener and
  // call it for every upgrade that is not signalling.
  const catcher = new EventEmitter();
  sockets.injectWebSocket(catcher as unknown as Server);
  const honoUpgrade = catcher.listeners('upgrade')[0] as UpgradeListener;
  return {
    request(request, response) {
      if (!signalling.handleRequest(request, response)) void honoRequest(request, response);
    },
    upgrade(request, socket, head) {
      if (!signalling.handleUpgrade(request, socket, head)) honoUpgrade(request, socket, head);
    },
  };
}

/** One HTTP server for everything, answered by whichever handlers `current` gives (active or standby). */
export function createHttpServer(current: () => HttpHandlers): Server {
  const server = createServer((request, response) => current().request(request, response));
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => current().upgrade(request, socket, head));
  // Idle keep-alive connections outlive the clients' own idle timeout (undici keeps one a second
  // under the server's hint): with Node's 5 s default, a client on a loaded machine reused a
  // connection the server was closing at that moment ("other side closed"). Load balancers keep
  // this rule too (the server's idle timeout above the balancer's).
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  return server;
}

/** How long the coordinator keeps an idle HTTP connection open. */
export const KEEP_ALIVE_MS = 65_000;

/** Listens; resolves once bound (port 0 picks a free port). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
