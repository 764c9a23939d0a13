import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Comm } from './comm.js';
import { createComm } from './gang-comm.js';
import { type InProcessNetwork, createInProcessNetwork } from './in-process.js';
import { expectedReduction, firstMismatch, rankValues } from './test-pattern.js';
import { type MessageHeader, encodeMessage } from './wire.js';
import { rejection } from '../testing.js';

// What goes wrong in a gang: members that never come, members that leave, members (or others)
// that send what they should not. Every case ends in a named error, never a hang.

let open: Comm[] = [];
afterEach(() => {
  for (const comm of open) comm.close();
  open = [];
});

function gang(size: number, timeoutMs = 5000): { comms: Comm[]; network: InProcessNetwork } {
  const network = createInProcessNetwork(size, { maxMessageBytes: 1024 });
  const comms = network.transports.map((transport) => createComm(transport, { timeoutMs }));
  open.push(...comms);
  return { comms, network };
}

function header(fields: Partial<MessageHeader>): MessageHeader {
  return { op: 'barrier', kind: 'value', detail: 1, seq: 0, step: 0, chunk: 0, total: 0, offset: 0, length: 0, root: 0, ...fields };
}

describe('a member that never joins', () => {
  it('makes every waiting collective reject with CollectiveTimeoutError within its timeout', async () => {
    // The test's clock, not the machine's: a busy machine neither hurries nor delays it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { comms } = gang(3, 200);
      const settled: string[] = [];
      const calls = [comms[0]!.allReduce(rankValues(0, 1000)), comms[1]!.allReduce(rankValues(1, 1000))].map((call) =>
        rejection(call).then((error) => (settled.push(error.name), error)),
      );
      await vi.advanceTimersByTimeAsync(199);
      expect(settled).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      const errors = await Promise.all(calls);
      expect(errors.map((error) => error.name)).toEqual(['CollectiveTimeoutError', 'CollectiveTimeoutError']);
      expect(errors[1]!.message).toMatch(/allReduce #0 .* timed out after 200 ms/);
    } finally {
      vi.useRealTimers();
    }
  });

  it('times out every kind of wait: recv, broadcast, gather, barrier, reduce', async () => {
    const { comms } = gang(2);
    const comm = comms[1]!;
    const options = { timeoutMs: 100 };
    for (const call of [
      comm.recv(0, options),
      comm.broadcast(undefined, 0, options),
      comm.gather(1, 1, options),
      comm.barrier(options),
      comm.reduce(rankValues(1, 5), 'sum', 1, options),
      comm.reduceScatter(rankValues(1, 5), 'sum', options),
    ]) {
      expect((await rejection(call)).name).toBe('CollectiveTimeoutError');
    }
  });

  it('leaves the comm usable: late messages of the timed-out collective are dropped as stale', async () => {
    const { comms } = gang(3, 150);
    const early = await Promise.all([comms[0]!.allReduce(rankValues(0, 500)), comms[1]!.allReduce(rankValues(1, 500))].map(rejection));
    expect(early.map((error) => error.name)).toEqual(['CollectiveTimeoutError', 'CollectiveTimeoutError']);
    expect((await rejection(comms[2]!.allReduce(rankValues(2, 500)))).name).toBe('CollectiveTimeoutError');
    const sums = await Promise.all(comms.map((comm) => comm.allReduce(rankValues(comm.rank, 500))));
    for (const sum of sums) expect(firstMismatch(sum, expectedReduction('sum', 3, 500))).toBe(-1);
    expect(comms[0]!.stats().stale).toBeGreaterThan(0);
  });
});

describe('a member that leaves', () => {
  it('makes pending and later collectives reject with PeerLostError, and spares the others’ links', async () => {
    const { comms, network } = gang(3);
    const pending = [comms[0]!.allReduce(rankValues(0, 65537)), comms[1]!.allReduce(rankValues(1, 65537))].map((call) => rejection<Error & { peerRank?: number }>(call));
    // Rank 2 leaves mid-collective: once the others' messages have started reaching it.
    const off = network.transports[2]!.onMessage(() => {
      off();
      network.disconnect(2);
    });
    const errors = await Promise.all(pending);
    expect(errors.map((error) => [error.name, error.peerRank])).toEqual([
      ['PeerLostError', 2],
      ['PeerLostError', 2],
    ]);
    expect((await rejection(comms[0]!.barrier())).name).toBe('PeerLostError');
    expect(comms[0]!.stats().lostPeers).toEqual([2]);
    const [, received] = await Promise.all([comms[0]!.send(1, 'still here'), comms[1]!.recv(0)]);
    expect(received).toBe('still here');
    expect((await rejection(comms[0]!.send(2, 'gone'))).name).toBe('PeerLostError');
  });

  it('rejects what a closed comm is asked with CommClosedError', async () => {
    const { comms } = gang(2);
    const pending = rejection(comms[0]!.barrier());
    comms[0]!.close();
    expect((await pending).name).toBe('CommClosedError');
    expect((await rejection(comms[0]!.allGather(1))).name).toBe('CommClosedError');
    expect((await rejection(comms[1]!.barrier())).name).toBe('PeerLostError');
  });
});

describe('messages that break the protocol', () => {
  it('refuses messages from ranks outside the gang: never delivered', async () => {
    const { comms, network } = gang(2);
    const forged = encodeMessage(header({ op: 'broadcast', detail: 3, total: 5, length: 5 }), new TextEncoder().encode('"bad"'));
    network.inject(7, 1, forged);
    network.inject(1, 1, forged);
    network.inject(-1, 1, forged);
    const results = await Promise.all(comms.map((comm) => comm.broadcast(comm.rank === 0 ? 'good' : undefined, 0)));
    expect(results).toEqual(['good', 'good']);
    expect(comms[1]!.stats().refused).toBe(3);
  });

  it.each([
    ['shorter than a header', new Uint8Array(5), /shorter than the 32-byte header/],
    ['of an unknown version', encodeMessage(header({}), new Uint8Array(0)).map((byte, index) => (index === 0 ? 9 : byte)), /wire version 9/],
    ['whose length disagrees with its header', encodeMessage(header({ total: 8, length: 4 }), new Uint8Array(4)).subarray(0, 34), /header says 4 payload bytes, message carries 2/],
    ['running past its value', encodeMessage(header({ total: 4, offset: 2, length: 4 }), new Uint8Array(4)), /overruns/],
    ['of another collective', encodeMessage(header({ op: 'gather' }), new Uint8Array(0)), /rank 0 sent gather #0; this rank runs barrier/],
    ['of a chunk out of order', encodeMessage(header({ chunk: 1, total: 8, offset: 4, length: 4 }), new Uint8Array(4)), /chunk 1 came where chunk 0 was due/],
    ['a ring chunk where values are due', encodeMessage(header({ kind: 'ring', total: 4, length: 4 }), new Uint8Array(4)), /not this rank's left neighbour/],
  ])('fails the collective with CommProtocolError for a message %s', async (_, bytes, message) => {
    const { comms, network } = gang(2);
    const pending = rejection(comms[1]!.barrier());
    network.inject(0, 1, bytes);
    const error = await pending;
    expect(error.name).toBe('CommProtocolError');
    expect(error.message).toMatch(message);
  });

  it('fails a collective whose messages come after a later one’s (out of order)', async () => {
    const { comms, network } = gang(2);
    const empty = new Uint8Array(0);
    network.inject(0, 1, encodeMessage(header({ seq: 1 }), empty));
    network.inject(0, 1, encodeMessage(header({ seq: 0 }), empty));
    const error = await rejection(comms[1]!.barrier());
    expect(error.name).toBe('CommProtocolError');
    expect(error.message).toMatch(/barrier #0: rank 0 sent it after a message of #1/);
  });

  it('fails allReduce on ranks whose vectors differ in length or whose ops differ', async () => {
    const { comms } = gang(2);
    const lengths = await Promise.all([comms[0]!.allReduce(rankValues(0, 10)), comms[1]!.allReduce(rankValues(1, 11))].map(rejection));
    expect(lengths.map((error) => error.name)).toEqual(['CommProtocolError', 'CommProtocolError']);
    expect(lengths[0]!.message).toMatch(/left neighbour has 11 values, this rank 10/);
    const ops = await Promise.all([comms[0]!.allReduce(rankValues(0, 10), 'max'), comms[1]!.allReduce(rankValues(1, 10), 'min')].map(rejection));
    expect(ops.map((error) => error.name)).toEqual(['CommProtocolError', 'CommProtocolError']);
  });

  it('fails a recv whose JSON does not parse', async () => {
    const { comms, network } = gang(2);
    const text = new TextEncoder().encode('{nope');
    network.inject(0, 1, encodeMessage(header({ op: 'send', detail: 3, total: text.length, length: text.length }), text));
    const error = await rejection(comms[1]!.recv(0));
    expect(error.name).toBe('CommProtocolError');
    expect(error.message).toMatch(/JSON value did not parse/);
  });
});

describe('wrong calls', () => {
  it('reject with CommUsageError', async () => {
    const { comms } = gang(2);
    const comm = comms[0]!;
    const calls: Promise<unknown>[] = [
      comm.send(0, 1),
      comm.send(2, 1),
      comm.recv(-1),
      comm.broadcast(1, 5),
      comm.reduce(rankValues(0, 1), 'sum', 2),
      comm.allReduce(rankValues(0, 1), 'product' as never),
      comm.allReduce([1, 2] as never),
      comm.send(1, new Float64Array(2) as never),
      comm.send(1, (() => 1) as never),
      comm.send(1, { big: 10n } as never),
    ];
    for (const call of calls) expect((await rejection(call)).name).toBe('CommUsageError');
  });
});
