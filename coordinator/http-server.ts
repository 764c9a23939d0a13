import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { NodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import type { Signalling } from './signalling/index.js';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * One HTTP server for everything: the Hono app (REST, worker socket, web apps) and the PeerJS
 * signalling server under its path, for requests and socket upgrades alike.
 */
export function createHttpServer(app: Hono, sockets: NodeWebSocket, signalling: Signalling): Server {
  const honoRequest = getRequestListener(app.fetch);
  const server = createServer((request, response) => {
    if (!signalling.handleRequest(request, response)) void honoRequest(request, response);
  });
  // Hono's socket helper listens for upgrades on whatever it is given: catch its listener and
  // call it for every upgrade that is not signalling.
  const catcher = new EventEmitter();
  sockets.injectWebSocket(catcher as unknown as Server);
  const honoUpgrade = catcher.listeners('upgrade')[0] as UpgradeListener;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!signalling.handleUpgrade(request, socket, head)) honoUpgrade(request, socket, head);
  });
  return server;
}

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
