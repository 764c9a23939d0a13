import { EventEmitter } from 'node:events';
import type { Peer } from 'peerjs';
import { afterEach, describe, expect, it } from 'vitest';
import { GangLinks, type LinkEvents } from './peerjs-links.js';

// The handshake that makes a link, with PeerJS's Peer and DataConnection played by fakes: what a
// real gang does is proven in e2e/comm.spec.ts; these are the races a real gang rarely shows.

const HELLO = Uint8Array.of(0x74, 0x67, 0x6c, 0x6b);

class FakeConnection extends EventEmitter {
  readonly reliable = true;
  readonly serialization = 'raw';
  readonly sent: Uint8Array[] = [];
  closed = false;
  readonly dataChannel = { send: (bytes: Uint8Array) => this.sent.push(bytes) };

  constructor(readonly peer: string) {
    super();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

class FakePeer extends EventEmitter {
  readonly dialed: FakeConnection[] = [];

  connect(id: string): FakeConnection {
    const connection = new FakeConnection(id);
    this.dialed.push(connection);
    return connection;
  }
}

function recorder() {
  const seen: string[] = [];
  const events: LinkEvents = {
    opened: (rank, connection) => seen.push(`opened ${rank} ${(connection as unknown as FakeConnection).peer}`),
    data: (rank, bytes) => seen.push(`data ${rank} ${bytes.length}`),
    closed: (rank, cause) => seen.push(`closed ${rank}: ${cause.message}`),
  };
  return { seen, events };
}

let links: GangLinks[] = [];
afterEach(() => {
  for (const link of links) link.close();
  links = [];
});

function gangLinks(peer: FakePeer, rank: number, events: LinkEvents): GangLinks {
  const made = new GangLinks(peer as unknown as Peer, rank, ['p0', 'p1'], events, 2_000);
  links.push(made);
  return made;
}

const accepted = (peer: FakePeer, from: string): FakeConnection => {
  const connection = new FakeConnection(from);
  peer.emit('connection', connection);
  return connection;
};

describe('GangLinks handshake', () => {
  it('the side that accepts takes a connection as the link only once HELLO came, so a dial given up after it opened there is no loss', async () => {
    const peer = new FakePeer();
    const { seen, events } = recorder();
    const connected = gangLinks(peer, 1, events).connect(Date.now() + 5_000);
    // Rank 0's first dial opens here, but rank 0 gave it up before it opened there, and closes it.
    const givenUp = accepted(peer, 'p0');
    givenUp.emit('open');
    givenUp.close();
    // Its second dial opens on both sides, and rank 0 says HELLO on it.
    const link = accepted(peer, 'p0');
    link.emit('open');
    link.emit('data', HELLO.slice().buffer);
    await connected;
    link.emit('data', new Uint8Array(40).buffer);
    expect(seen).toEqual(['opened 0 p0', 'data 0 40']);
  });

  it('the dialing side says HELLO first on the connection it takes; that link closing is a loss', async () => {
    const peer = new FakePeer();
    const { seen, events } = recorder();
    const connected = gangLinks(peer, 0, events).connect(Date.now() + 5_000);
    const [dial] = peer.dialed;
    dial!.emit('open');
    await connected;
    expect(dial!.sent).toEqual([HELLO]);
    expect(seen).toEqual(['opened 1 p1']);
    dial!.close();
    expect(seen).toEqual(['opened 1 p1', 'closed 1: the data channel to p1 closed']);
  });

  it('refuses an accepted connection whose first message is not HELLO', () => {
    const peer = new FakePeer();
    const { seen, events } = recorder();
    const member = gangLinks(peer, 1, events);
    void member.connect(Date.now() + 5_000).catch(() => undefined);
    const rude = accepted(peer, 'p0');
    rude.emit('open');
    rude.emit('data', new Uint8Array(40).buffer);
    expect(rude.closed).toBe(true);
    expect(seen).toEqual([]);
    expect(member.refused).toBe(1);
  });
});
