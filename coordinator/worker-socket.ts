import type { Socket } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { MiddlewareHandler } from 'hono';
import type { CoordinatorMessage, ErrorCode } from '../shared/index.js';
import type { WorkerGateway, WorkerSession } from './gateway/index.js';
import { SILENT_LOG, type Logger } from './log.js';

/** Binds the gateway to Hono's WebSocket upgrade: one session per socket. */
export function workerSocketHandler(upgradeWebSocket: UpgradeWebSocket<unknown>, gateway: WorkerGateway, log: Logger = SILENT_LOG): MiddlewareHandler {
  return upgradeWebSocket((c) => {
    let session: WorkerSession | undefined;
    // The peer's address tells hosts apart, so replicas of a task go to distinct machines. Behind a
    // proxy every worker shares the proxy's: then none is told apart (no forwarded header is
    // trusted, since a worker could write any).
    const address = (c.env as { incoming?: unknown } | undefined)?.incoming ? getConnInfo(c).remote.address : undefined;
    return {
      onOpen(_event, ws: WSContext) {
        session = gateway.connect(
          {
            send: (text) => {
              holdWritesForThisTurn(ws.raw);
              ws.send(text);
            },
            close: (code, reason) => ws.close(code, reason),
          },
          address,
        );
      },
      onMessage(event, ws) {
        if (!session) return;
        if (typeof event.data !== 'string') {
          ws.send(errorFrame('bad_message', 'expected a text frame'));
          return;
        }
        gateway.receive(session, event.data).catch((error: unknown) => {
          log.error({ err: error, workerId: session?.workerId }, 'worker message failed');
          ws.send(errorFrame('internal', 'the coordinator could not handle that message'));
        });
      },
      onClose() {
        if (session) gateway.disconnect(session);
      },
      onError() {
        if (session) gateway.disconnect(session);
      },
    };
  });
}

/**
 * Frames sent to one socket in one turn (the ack of a result and the lease answering the ask
 * behind it leave after the same commit) go to the kernel in one write, not a write each: the
 * socket's TCP stream is corked until the turn's microtasks are done. `ws` keeps that stream as
 * `_socket` (not typed); without it, frames are written one by one.
 * @param socket a `ws` WebSocket (Hono's `WSContext.raw`)
 */
export function holdWritesForThisTurn(socket: unknown): void {
  const stream = (socket as { _socket?: Partial<Socket> } | undefined)?._socket;
  if (!stream?.cork || !stream.uncork || stream.writableCorked !== 0) return;
  stream.cork();
  process.nextTick(() => stream.uncork!());
}

function errorFrame(code: ErrorCode, message: string): string {
  const frame: CoordinatorMessage = { type: 'error', code, message };
  return JSON.stringify(frame);
}
