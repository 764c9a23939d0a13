/**
 * The in-process transport: every rank of a gang in one process (the SDK's local runner, the
 * Node worker, tests). Faithful to a data channel where it matters: bytes are copied, delivery
 * is asynchronous (a `MessageChannel` per receiving rank, so a macrotask each), messages over
 * `maxMessageBytes` are refused, and `bufferedAmount` counts what is sent but not yet delivered.
 */
import type { Comm, CommOptions } from './comm.js';
import { CommClosedError, CommUsageError, MessageTooLargeError, PeerLostError } from './errors.js';
import { createComm } from './gang-comm.js';
import { CHROMIUM_MAX_MESSAGE_BYTES, DEFAULT_LOW_WATER_BYTES, type MessageListener, type PeerLostListener, type Transport } from './transport.js';

/** Options of the in-process links. */
export interface InProcessNetworkOptions {
  /** Messages over this many bytes are refused with `MessageTooLargeError`, as Chromium refuses them. @default 262_144 */
  readonly maxMessageBytes?: number;
  /** Where `waitForDrain` resolves. @default 1_048_576 */
  readonly lowWaterBytes?: number;
}

/** Counters over all links of a network. */
export interface NetworkStats {
  messages: number;
  bytes: number;
  largestMessage: number;
  maxBufferedAmount: number;
}

/** The links of an in-process gang, with hooks for tests. */
export interface InProcessNetwork {
  readonly transports: readonly Transport[];
  readonly stats: NetworkStats;
  /** Delivers `bytes` to rank `to` as if from `from`, which need not be a member: what a foreign or broken peer would do. */
  inject(from: number, to: number, bytes: Uint8Array): void;
  /** Closes `rank`'s links, as a closed tab would: every other rank loses it. */
  disconnect(rank: number): void;
}

interface Envelope {
  readonly from: number;
  readonly bytes: Uint8Array;
  readonly counted: boolean;
}

/**
 * A comm per rank, all in this process.
 * @example
 * const [a, b] = createInProcessGang(2);
 * const [sumA, sumB] = await Promise.all([a.allReduce(Float32Array.of(1, 2)), b.allReduce(Float32Array.of(3, 4))]);
 * // sumA and sumB are Float32Array [4, 6]
 */
export function createInProcessGang(size: number, options: CommOptions & InProcessNetworkOptions = {}): Comm[] {
  return createInProcessNetwork(size, options).transports.map((transport) => createComm(transport, options));
}

/**
 * The transports of an in-process gang of `size`, for building comms with `createComm`.
 * @example
 * const network = createInProcessNetwork(3, { maxMessageBytes: 1024 });
 * const comms = network.transports.map((transport) => createComm(transport));
 */
export function createInProcessNetwork(size: number, options: InProcessNetworkOptions = {}): InProcessNetwork {
  if (!Number.isInteger(size) || size < 1) throw new CommUsageError(`a gang has at least one rank, not ${size}`);
  const maxMessageBytes = options.maxMessageBytes ?? CHROMIUM_MAX_MESSAGE_BYTES;
  const lowWater = options.lowWaterBytes ?? DEFAULT_LOW_WATER_BYTES;
  const stats: NetworkStats = { messages: 0, bytes: 0, largestMessage: 0, maxBufferedAmount: 0 };
  const buffered = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const drainWaiters = Array.from({ length: size }, () => Array.from({ length: size }, () => [] as (() => void)[]));
  const channels = Array.from({ length: size }, () => new MessageChannel());
  const transports: InProcessTransport[] = [];

  const post = (from: number, to: number, bytes: Uint8Array, counted: boolean): void => {
    const copy = bytes.slice();
    if (counted) {
      const amount = (buffered[from]![to]! += copy.byteLength);
      stats.messages++;
      stats.bytes += copy.byteLength;
      stats.largestMessage = Math.max(stats.largestMessage, copy.byteLength);
      stats.maxBufferedAmount = Math.max(stats.maxBufferedAmount, amount);
    }
    const envelope: Envelope = { from, bytes: copy, counted };
    channels[to]!.port1.postMessage(envelope, [copy.buffer]);
  };
  const arrive = (to: number, { from, bytes, counted }: Envelope): void => {
    if (counted) {
      const amount = (buffered[from]![to]! -= bytes.byteLength);
      if (amount <= lowWater) for (const wake of drainWaiters[from]![to]!.splice(0)) wake();
    }
    const sender = transports[from];
    if (sender?.closed === true || transports[to]!.closed) return;
    transports[to]!.deliver(from, bytes);
  };
  const closed = (rank: number): void => {
    for (const other of transports) if (other.rank !== rank) other.lose(rank, new Error(`rank ${rank} closed its in-process links`));
    for (let other = 0; other < size; other++) {
      for (const wake of drainWaiters[rank]![other]!.splice(0)) wake();
      for (const wake of drainWaiters[other]![rank]!.splice(0)) wake();
    }
    if (transports.every((transport) => transport.closed)) for (const channel of channels) channel.port1.close();
  };

  for (let rank = 0; rank < size; rank++) {
    const port = channels[rank]!.port2;
    port.onmessage = (event: MessageEvent<Envelope>) => arrive(rank, event.data);
    const links = {
      post: (to: number, bytes: Uint8Array) => post(rank, to, bytes, true),
      bufferedAmount: (to: number) => buffered[rank]![to]!,
      waitForDrain: (to: number) =>
        buffered[rank]![to]! <= lowWater ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters[rank]![to]!.push(resolve)),
      closed: () => {
        port.close();
        closed(rank);
      },
    };
    transports.push(new InProcessTransport(rank, size, maxMessageBytes, links));
  }
  return {
    transports,
    stats,
    inject: (from, to, bytes) => post(from, to, bytes, false),
    disconnect: (rank) => transports[rank]?.close(),
  };
}

interface Links {
  post(to: number, bytes: Uint8Array): void;
  bufferedAmount(to: number): number;
  waitForDrain(to: number): Promise<void>;
  closed(): void;
}

class InProcessTransport implements Transport {
  closed = false;
  readonly #listeners = new Set<MessageListener>();
  readonly #lostListeners = new Set<PeerLostListener>();
  readonly #unheard: [number, Uint8Array][] = [];
  readonly #lost = new Map<number, Error>();

  constructor(
    readonly rank: number,
    readonly size: number,
    readonly maxMessageBytes: number,
    private readonly links: Links,
  ) {}

  send(peerRank: number, bytes: Uint8Array): void {
    if (this.closed) throw new CommClosedError(`rank ${this.rank}: the transport is closed`);
    if (!Number.isInteger(peerRank) || peerRank < 0 || peerRank >= this.size || peerRank === this.rank) throw new CommUsageError(`no link to rank ${peerRank}`);
    const lost = this.#lost.get(peerRank);
    if (lost !== undefined) throw new PeerLostError(`rank ${peerRank} is lost`, peerRank, { cause: lost });
    if (bytes.byteLength > this.maxMessageBytes) throw new MessageTooLargeError(`a message of ${bytes.byteLength} bytes; links carry at most ${this.maxMessageBytes}`);
    this.links.post(peerRank, bytes);
  }

  onMessage(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    for (const [from, bytes] of this.#unheard.splice(0)) listener(from, bytes);
    return () => this.#listeners.delete(listener);
  }

  bufferedAmount(peerRank: number): number {
    return this.links.bufferedAmount(peerRank);
  }

  waitForDrain(peerRank: number): Promise<void> {
    const lost = this.#lost.get(peerRank);
    if (lost !== undefined) return Promise.reject(new PeerLostError(`rank ${peerRank} is lost`, peerRank, { cause: lost }));
    return this.links.waitForDrain(peerRank);
  }

  onPeerLost(listener: PeerLostListener): () => void {
    this.#lostListeners.add(listener);
    for (const [peer, cause] of this.#lost) listener(peer, cause);
    return () => this.#lostListeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.links.closed();
  }

  deliver(from: number, bytes: Uint8Array): void {
    if (this.#listeners.size === 0) this.#unheard.push([from, bytes]);
    for (const listener of this.#listeners) listener(from, bytes);
  }

  lose(peer: number, cause: Error): void {
    if (this.closed || this.#lost.has(peer)) return;
    this.#lost.set(peer, cause);
    for (const listener of this.#lostListeners) listener(peer, cause);
  }
}
