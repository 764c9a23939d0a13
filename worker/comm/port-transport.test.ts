import { afterEach, describe, expect, it } from 'vitest';
import type { Comm } from './comm.js';
import { createComm } from './gang-comm.js';
import { createInProcessNetwork, type InProcessNetwork } from './in-process.js';
import { createPortTransport, relayTransport } from './port-transport.js';
import { expectedReduction, firstMismatch, rankValues } from './test-pattern.js';
import type { Transport } from './transport.js';
import { rejection } from '../testing.js';

// The links on one side of a MessageChannel (as on a tab's page), the comms on the other (as in
// the task's Web Worker): collectives must come out as they do over the links themselves.

let stops: (() => void)[] = [];
let comms: Comm[] = [];
afterEach(() => {
  for (const comm of comms) comm.close();
  for (const stop of stops) stop();
  comms = [];
  stops = [];
});

function relayedGang(size: number, options: { maxMessageBytes?: number; lowWaterBytes?: number; timeoutMs?: number } = {}): { network: InProcessNetwork; transports: Transport[] } {
  const network = createInProcessNetwork(size, options);
  const transports = network.transports.map((links) => {
    const channel = new MessageChannel();
    stops.push(relayTransport(links, channel.port1));
    return createPortTransport(channel.port2, { rank: links.rank, size, maxMessageBytes: links.maxMessageBytes, ...options });
  });
  return { network, transports };
}

/** The sizes of the messages `transport` hears, and a wait until it has heard `n` (not a sleep). */
function hearing(transport: Transport): { sizes: number[]; count(n: number): Promise<void> } {
  const sizes: number[] = [];
  const waiters: (() => void)[] = [];
  transport.onMessage((_from, bytes) => {
    sizes.push(bytes.byteLength);
    for (const wake of waiters.splice(0)) wake();
  });
  const count = async (n: number): Promise<void> => {
    while (sizes.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { sizes, count };
}

function commsOf(transports: Transport[], timeoutMs = 5000): Comm[] {
  const made = transports.map((transport) => createComm(transport, { timeoutMs }));
  comms.push(...made);
  return made;
}

describe('a transport relayed over a MessagePort', () => {
  it.each([1000, 4096, 70_001])('gives exact allReduce sums over 3 ranks for %i floats (chunked by a 1 KiB message cap)', async (length) => {
    const gang = commsOf(relayedGang(3, { maxMessageBytes: 1024 }).transports);
    const sums = await Promise.all(gang.map((comm) => comm.allReduce(rankValues(comm.rank, length), 'sum')));
    const expected = expectedReduction('sum', 3, length);
    for (const sum of sums) expect(firstMismatch(sum, expected)).toBe(-1);
  });

  it('carries every collective: broadcast, gather, allGather, reduceScatter, send/recv, barrier', async () => {
    const gang = commsOf(relayedGang(4).transports);
    const results = await Promise.all(
      gang.map(async (comm) => {
        const config = await comm.broadcast(comm.rank === 3 ? { steps: 7 } : undefined, 3);
        const gathered = await comm.gather(comm.rank * 10, 0);
        const all = await comm.allGather(Float32Array.of(comm.rank));
        const mine = await comm.reduceScatter(Float32Array.from({ length: 8 }, (_, i) => i + comm.rank), 'sum');
        if (comm.rank === 0) await comm.send(1, 'hello');
        const heard = comm.rank === 1 ? await comm.recv(0) : undefined;
        await comm.barrier();
        return { config, gathered, all: all.map((values) => values[0]), mine: [...mine], heard };
      }),
    );
    expect(results.map((result) => result.config)).toEqual([{ steps: 7 }, { steps: 7 }, { steps: 7 }, { steps: 7 }]);
    expect(results[0]!.gathered).toEqual([0, 10, 20, 30]);
    expect(results[2]!.gathered).toBeUndefined();
    for (const result of results) expect(result.all).toEqual([0, 1, 2, 3]);
    // Column sums 4i + 6, two per rank.
    expect(results.map((result) => result.mine)).toEqual([[6, 10], [14, 18], [22, 26], [30, 34]]);
    expect(results[1]!.heard).toBe('hello');
  });

  it('tells the task side when a member is lost on the links side, and pending calls reject', async () => {
    const { network, transports } = relayedGang(3);
    const gang = commsOf(transports);
    const pending = [gang[0]!.allReduce(rankValues(0, 100)), gang[1]!.allReduce(rankValues(1, 100))];
    network.disconnect(2);
    const errors = await Promise.all(pending.map(rejection));
    expect(errors.map((error) => error.name)).toEqual(['PeerLostError', 'PeerLostError']);
    expect(errors[0]!.message).toMatch(/rank 2/);
  });

  it('leaves the links open when the task side closes (the owner closes them), and stops relaying', async () => {
    const { network, transports } = relayedGang(2);
    const gang = commsOf(transports);
    gang[1]!.close();
    const heard = hearing(network.transports[1]!);
    await gang[0]!.send(1, Float32Array.of(1, 2, 3));
    await heard.count(1);
    expect(heard.sizes).toHaveLength(1);
    const waiting = gang[0]!.recv(1);
    network.transports[1]!.close();
    expect((await rejection(waiting)).name).toBe('PeerLostError');
  });

  it('refuses what the links would: oversize messages, unknown ranks, sends after close', () => {
    const [transport] = relayedGang(2, { maxMessageBytes: 16 }).transports;
    expect(() => transport!.send(1, new Uint8Array(17))).toThrow(expect.objectContaining({ name: 'MessageTooLargeError' }));
    expect(() => transport!.send(0, new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'CommUsageError' }));
    expect(() => transport!.send(5, new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'CommUsageError' }));
    transport!.close();
    expect(() => transport!.send(1, new Uint8Array(1))).toThrow(expect.objectContaining({ name: 'CommClosedError' }));
  });

  it('counts bytes on their way as buffered, and waitForDrain resolves once the links have taken them', async () => {
    const [sender, receiver] = relayedGang(2, { lowWaterBytes: 100 }).transports;
    const heard = hearing(receiver!);
    for (let i = 0; i < 4; i++) sender!.send(1, new Uint8Array(1000));
    expect(sender!.bufferedAmount(1)).toBe(4000);
    await sender!.waitForDrain(1);
    expect(sender!.bufferedAmount(1)).toBeLessThanOrEqual(100);
    await heard.count(4);
    expect(heard.sizes).toEqual([1000, 1000, 1000, 1000]);
  });
});
