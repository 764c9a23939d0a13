import { afterEach, describe, expect, it } from 'vitest';
import type { GangMembership } from '../../shared/index.js';
import { createPortTransport } from '../comm/port-transport.js';
import { GangLink } from './gang-link.js';
import { inProcessGangs } from './in-process-gangs.js';

function membership(rank: number, size = 2, timeoutMs = 5_000): GangMembership {
  return { attempt: 'gang-1', rank, size, peerIds: ['a', 'b'].slice(0, size), signalling: { path: '/peerjs', key: 'k' }, iceServers: [], timeoutMs };
}

let links: GangLink[] = [];
afterEach(() => {
  for (const link of links) link.close();
  links = [];
});

async function open(rank: number, connect = inProcessGangs()): Promise<GangLink> {
  const link = await GangLink.open(membership(rank), connect);
  links.push(link);
  return link;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

describe('GangLink', () => {
  it('delivers what a task sent last even when its success is heard before its sends (they travel on another channel)', async () => {
    const connect = inProcessGangs();
    const [sender, receiver] = [await open(0, connect), await open(1, connect)];
    const heard: number[] = [];
    createPortTransport(receiver.port.port, receiver.port).onMessage((_from, bytes) => heard.push(bytes.length));
    const task = createPortTransport(sender.port.port, sender.port);
    task.send(1, new Uint8Array(3));
    task.send(1, new Uint8Array(5));
    task.close();
    // The executor learns of the task's success at once, before the port's messages are read.
    sender.end(true);
    await settle();
    expect(heard).toEqual([3, 5]);
  });

  it('keeps the links open after a success, so a member still reading is not told the finished one is lost', async () => {
    const connect = inProcessGangs();
    const [finished, reading] = [await open(0, connect), await open(1, connect)];
    const lost: number[] = [];
    createPortTransport(reading.port.port, reading.port).onPeerLost((rank) => lost.push(rank));
    finished.end(true);
    await settle();
    expect(lost).toEqual([]);
    finished.close();
    await settle();
    expect(lost).toEqual([0]);
  });

  it('closes the links at once after a failure, so the others fail fast', async () => {
    const connect = inProcessGangs();
    const [failed, other] = [await open(0, connect), await open(1, connect)];
    const lost: number[] = [];
    createPortTransport(other.port.port, other.port).onPeerLost((rank) => lost.push(rank));
    failed.end(false);
    await settle();
    expect(lost).toEqual([0]);
  });
});
