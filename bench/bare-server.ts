/**
 * `node --import tsx bench/bare-server.ts`: the reference `bench:scale` reads the coordinator's
 * CPU per task against. A WebSocket server that speaks only as much of the worker protocol as a
 * bench worker needs (hello → welcome, ask → lease, result → ack) with nothing behind it: no
 * validation, no store, no scheduling, no metrics. What it spends on a task is the socket and JSON
 * work any coordinator pays for one (its frames corked as the coordinator's are); it prints its
 * worker socket's URL on stdout.
 */
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { holdWritesForThisTurn } from '../coordinator/testing.js';
import type { CoordinatorMessage, TaskLease } from '../shared/index.js';

const CODE = randomBytes(32).toString('hex');
let nextTask = 0;

/** A lease with every field a real one of a one-item task carries, ids as long as the coordinator's. */
function lease(): TaskLease {
  const taskIndex = nextTask++;
  return {
    type: 'lease',
    leaseId: `lease_${randomBytes(12).toString('base64url')}`,
    jobId: 'job_0123456789abcdef',
    jobName: 'scale',
    taskIndex,
    attempt: 1,
    code: CODE,
    input: { kind: 'items', firstItem: taskIndex, items: [null] },
  };
}

function answer(socket: WebSocket, text: string): void {
  const message = JSON.parse(text) as { type: string; leaseId?: string };
  const send = (reply: CoordinatorMessage): void => {
    holdWritesForThisTurn(socket);
    socket.send(JSON.stringify(reply));
  };
  if (message.type === 'hello') send({ type: 'welcome', workerId: `w_${randomBytes(8).toString('hex')}`, heartbeatMs: 10_000, leaseMs: 30_000, kept: [] });
  else if (message.type === 'ask') send(lease());
  else if (message.type === 'result') send({ type: 'ack', leaseId: message.leaseId!, status: 'accepted' });
}

const server = createServer((_request, response) => response.writeHead(404).end());
const sockets = new WebSocketServer({ server });
sockets.on('connection', (socket) => socket.on('message', (data: Buffer) => answer(socket, data.toString('utf8'))));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  console.log(`ws://127.0.0.1:${address.port}/`);
});
process.on('SIGTERM', () => process.exit(0));
