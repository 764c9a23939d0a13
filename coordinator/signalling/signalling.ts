import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import express from 'express';
import { ExpressPeerServer } from 'peer';
import { WebSocketServer } from 'ws';

/** Where tabs find the signalling server: the coordinator's own origin, this path, this key. */
export interface SignallingInfo {
  path: string;
  key: string;
}

export interface Signalling {
  info: SignallingInfo;
  /** Answers a request under `path`; false for other requests. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Takes a socket upgrade under `path`; false for other upgrades. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export interface SignallingOptions {
  /** @default '/peerjs' */
  path?: string;
  key: string;
  /** Only peer ids the coordinator handed out (to members of a gang attempt) may register. */
  isIssued(peerId: string): boolean;
}

/**
 * The PeerJS signalling server (the `peer` package), mounted on the coordinator's HTTP server
 * under `path`, so tabs reach it on the coordinator's origin. Its socket server takes no port of
 * its own: the coordinator routes upgrades under `path` to it.
 */
export function createSignalling(options: SignallingOptions): Signalling {
  const path = options.path ?? '/peerjs';
  let sockets: WebSocketServer | undefined;
  const peerApp = ExpressPeerServer({} as never, {
    path: '/',
    key: options.key,
    allow_discovery: false,
    // Its socket server takes no port and no server of its own: upgrades are handed to it.
    createWebSocketServer: () => (sockets = new WebSocketServer({ noServer: true })),
  });
  // ExpressPeerServer starts when mounted into an express app.
  const root = express();
  root.use(path, peerApp);
  const isUnder = (url: string | undefined): boolean =>
    url !== undefined && (url === path || url.startsWith(`${path}/`) || url.startsWith(`${path}?`));
  return {
    info: { path, key: options.key },
    handleRequest(request, response) {
      if (!isUnder(request.url)) return false;
      root(request, response);
      return true;
    },
    handleUpgrade(request, socket, head) {
      if (!isUnder(request.url) || !sockets) return false;
      const peerId = new URL(request.url!, 'http://signalling').searchParams.get('id');
      if (peerId === null || !options.isIssued(peerId)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return true;
      }
      const server = sockets;
      server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
      return true;
    },
    close() {
      for (const client of sockets?.clients ?? []) client.terminate();
      sockets?.close();
    },
  };
}
