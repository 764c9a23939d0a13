import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TaskLease } from '../../shared/index.js';
import { capabilities, DOUBLE_CODE, useRealServers } from '../test-helpers.js';

// The PeerJS signalling server, mounted on the coordinator's own port: only issued peer ids get in.

const { start, connectWorker, track } = useRealServers();

function signallingSocket(url: string, lease: TaskLease, peerId: string, key = lease.gang!.signalling.key): WebSocket {
  const base = url.replace(/^http/, 'ws');
  const query = new URLSearchParams({ key, id: peerId, token: 'tab-token' });
  return track(new WebSocket(`${base}${lease.gang!.signalling.path}/peerjs?${query}`));
}

function firstMessage(socket: WebSocket): Promise<{ type?: string } | { refused: number }> {
  return new Promise((resolve) => {
    socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as { type?: string }));
    socket.once('unexpected-response', (_request, response) => resolve({ refused: response.statusCode ?? 0 }));
    socket.once('error', () => undefined);
  });
}

describe('signalling on the coordinator', () => {
  it('lets gang members register with their issued peer ids and refuses any other id or key', async () => {
    const coordinator = await start();
    const response = await fetch(`${coordinator.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${coordinator.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'gang', code: DOUBLE_CODE, input: { items: [1] }, gang: { size: 2 } }),
    });
    expect(response.status).toBe(201);
    const members = await Promise.all([connectWorker(coordinator), connectWorker(coordinator)]);
    // Browser tabs: a node worker (the helpers' default) takes a gang only whole.
    for (const member of members) {
      member.send({ type: 'hello', capabilities: { ...capabilities, runtime: 'browser' }, leases: [] });
      await member.received.waitFor('welcome');
      member.send({ type: 'ask' });
    }
    const leases: TaskLease[] = await Promise.all(members.map((member) => member.received.waitFor('lease')));
    const lease = leases[0]!;
    expect(lease.gang).toMatchObject({ size: 2, signalling: { path: '/peerjs' } });

    const issued = signallingSocket(coordinator.url, lease, lease.gang!.peerIds[1]!);
    expect(await firstMessage(issued)).toEqual({ type: 'OPEN' });

    const guessed = signallingSocket(coordinator.url, lease, 'peer_somebody_else_0000000000');
    expect(await firstMessage(guessed)).toEqual({ refused: 403 });

    const wrongKey = signallingSocket(coordinator.url, lease, lease.gang!.peerIds[0]!, 'not-the-key');
    expect(await firstMessage(wrongKey)).toMatchObject({ type: 'ERROR' });

    // The REST API and the worker socket still answer beside it.
    expect((await fetch(`${coordinator.url}/api/v1/health`)).status).toBe(200);
  });
});
