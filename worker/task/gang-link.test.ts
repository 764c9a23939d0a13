import { afterEach, describe, expect, it } from 'vitest';
import type { GangMembership } from '../../shared/index.js';
import { createPortTransport } from '../comm/port-transport.js';
import { GangLink } from './gang-link.js';
import { inProcessGangs } from './in-process-gangs.js';

function membership(rank: number, size = 2, timeoutMs = 5_000): GangMembership {
  return { attempt: 'gang-1', rank, size, peerIds: ['a', 'b', 'c'].slice(0, size), signalling: { path: '/peerjs', key: 'k' }, iceServers: [], timeoutMs };
}

let links: GangLink[] = [];
afterEach(() => {
  for (const link of links) link.close();
  links = [];
});

async function open(rank: number, connect = inProcessGangs(), size = 2): Promise<GangLink> {
  const link = await GangLink.open(membership(rank, size), connect);
  links.push(link);
  return link;
}

/**
 * A member's task side: what it hears (message sizes) and whom it hears lost, and a wait for the
 * next of those. Tests wait on what arrives, never on a clock that a busy machine outruns.
 */
function taskSide(link: GangLink) {
  const transport = createPortTransport(link.port.port, link.port);
  const heard: number[] = [];
  const lost: number[] = [];
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  transport.onMessage((_from, bytes) => (heard.push(bytes.length), wake()));
  transport.onPeerLost((rank) => (lost.push(rank), wake()));
  const until = async (done: () => boolean): Promise<void> => {
    while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { transport, heard, lost, until };
}

describe('GangLink', () => {
  it('delivers what a task sent last even when its success is heard before its sends (they travel on another channel)', async () => {
    const connect = inProcessGangs();
    const [sender, receiver] = [await open(0, connect), await open(1, connect)];
    const reader = taskSide(receiver);
    const task = createPortTransport(sender.port.port, sender.port);
    task.send(1, new Uint8Array(3));
    task.send(1, new Uint8Array(5));
    task.close();
    // The executor learns of the task's success at once, before the port's messages are read.
    sender.end(true);
    // Links closed too early would drop the sends and report the sender lost instead.
    await reader.until(() => reader.heard.length === 2 || reader.lost.length > 0);
    expect(reader.heard).toEqual([3, 5]);
  });

  it('keeps the links open after a success, so a member still reading is not told the finished one is lost', async () => {
    const connect = inProcessGangs();
    const [finished, reading] = [await open(0, connect), await open(1, connect)];
    const reader = taskSide(reading);
    const task = createPortTransport(finished.port.port, finished.port);
    task.send(1, new Uint8Array(4));
    finished.end(true);
    // The message left the finished member's links after its success; a lost notice sent at the
    // success would have come before it on the same way.
    await reader.until(() => reader.heard.length > 0 || reader.lost.length > 0);
    expect(reader.heard).toEqual([4]);
    expect(reader.lost).toEqual([]);
    finished.close();
    await reader.until(() => reader.lost.length > 0);
    expect(reader.lost).toEqual([0]);
  });

  it('closes the links at once after a failure, so the others fail fast', async () => {
    const connect = inProcessGangs();
    const [failed, other, third] = [await open(0, connect, 3), await open(1, connect, 3), await open(2, connect, 3)];
    const reader = taskSide(other);
    failed.end(false);
    // A message from the third member, sent after the failure, comes after a lost notice sent
    // at once; links that lingered would send theirs later.
    createPortTransport(third.port.port, third.port).send(1, new Uint8Array(6));
    await reader.until(() => reader.heard.length > 0);
    expect(reader.lost).toEqual([0]);
  });
});
