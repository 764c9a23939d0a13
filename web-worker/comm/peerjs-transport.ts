/**
 * The PeerJS transport: a gang's links as WebRTC data channels brokered by a PeerJS signalling
 * server (mounted on the coordinator). Channels are `reliable` (ordered, retransmitted) with
 * `raw` serialization, so messages go out as the bytes given and arrive as `ArrayBuffer`s: no
 * JSON, no BinaryPack. Sends go straight to the channel; backpressure is the caller's through
 * `bufferedAmount` and `waitForDrain` (`bufferedamountlow`). PeerJS errors become
 * `PeerConnectError` / `PeerLostError` with the original as `cause`.
 */
import type { DataConnection, Peer } from 'peerjs';
import { CommClosedError, CommUsageError, MessageTooLargeError, PeerConnectError, PeerLostError } from '../../worker/index.js';
import { GangLinks } from './peerjs-links.js';
import { CHROMIUM_MAX_MESSAGE_BYTES, DEFAULT_LOW_WATER_BYTES, type MessageListener, type PeerLostListener, type Transport } from '../../worker/index.js';

/** Options of `createPeerJsTransport`. */
export interface PeerJsTransportOptions {
  /** This tab's Peer, made with its own gang peer id; it may still be connecting to the server. */
  readonly peer: Peer;
  /** This member's rank: `peerIds[rank]` is its own id. */
  readonly rank: number;
  /** Every member's peer id, by rank. Connections from any other id are refused. */
  readonly peerIds: readonly string[];
  /** How long forming the gang may take. @default 30_000 */
  readonly timeoutMs?: number;
  /** `bufferedAmountLowThreshold` of the channels: where `waitForDrain` resolves. @default 1_048_576 */
  readonly lowWaterBytes?: number;
  /** The largest message sent; lowered to what the SCTP transport allows. @default 262_144 */
  readonly maxMessageBytes?: number;
  /**
   * How long a link's ICE may stay `disconnected` before its member counts as lost (a crashed
   * tab says no goodbye; ICE notices within seconds, and recovers when consent checks were only
   * late: on a flaky network, or on a machine too busy to answer them in time).
   * @default 5_000
   */
  readonly disconnectGraceMs?: number;
}

/** A transport over PeerJS data channels. */
export interface PeerJsTransport extends Transport {
  /** Connections closed unread because they were not from a lower rank of this gang. */
  readonly refusedConnections: number;
}

/**
 * Joins the gang: waits for the signalling server, then opens a data channel to every other
 * member. Rejects with `PeerConnectError` (`cause`: PeerJS's error) when the server refuses or
 * the members cannot all be reached within `timeoutMs`.
 * @example
 * const peer = new Peer(peerIds[rank], { host: '127.0.0.1', port: 9000, path: '/peerjs', key: 'tabgrid', config: { iceServers: [] } });
 * const transport = await createPeerJsTransport({ peer, rank, peerIds, timeoutMs: 30_000 });
 * const comm = createComm(transport);
 */
export async function createPeerJsTransport(options: PeerJsTransportOptions): Promise<PeerJsTransport> {
  const { peer, rank, peerIds } = options;
  if (!Number.isInteger(rank) || rank < 0 || rank >= peerIds.length) throw new CommUsageError(`rank ${rank} is not a rank of a gang of ${peerIds.length}`);
  if (new Set(peerIds).size !== peerIds.length) throw new CommUsageError(`the gang's peer ids are not distinct: ${peerIds.join(', ')}`);
  if (peer.id !== peerIds[rank]) throw new CommUsageError(`the Peer's id ${peer.id} is not rank ${rank}'s id ${peerIds[rank]}`);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const transport = new PeerJsGang(options);
  try {
    await waitForServer(peer, deadline);
    await transport.links.connect(deadline);
  } catch (error) {
    transport.close();
    throw error instanceof PeerConnectError ? error : new PeerConnectError(`rank ${rank} could not join its gang: ${String(error)}`, { cause: error });
  }
  return transport;
}

class PeerJsGang implements PeerJsTransport {
  readonly rank: number;
  readonly size: number;
  readonly links: GangLinks;
  readonly #lowWater: number;
  #maxMessageBytes: number;
  readonly #channels = new Map<number, RTCDataChannel>();
  readonly #lost = new Map<number, PeerLostError>();
  readonly #drainWaiters = new Map<number, Set<{ resolve: () => void; reject: (error: Error) => void }>>();
  readonly #listeners = new Set<MessageListener>();
  readonly #lostListeners = new Set<PeerLostListener>();
  readonly #unheard: [number, Uint8Array][] = [];
  #closed = false;

  constructor(options: PeerJsTransportOptions) {
    this.rank = options.rank;
    this.size = options.peerIds.length;
    this.#lowWater = options.lowWaterBytes ?? DEFAULT_LOW_WATER_BYTES;
    this.#maxMessageBytes = options.maxMessageBytes ?? CHROMIUM_MAX_MESSAGE_BYTES;
    this.links = new GangLinks(options.peer, options.rank, options.peerIds, {
      opened: (rank, connection) => this.#opened(rank, connection),
      data: (rank, bytes) => this.#deliver(rank, bytes),
      closed: (rank, cause) => this.#lose(rank, cause),
    }, options.disconnectGraceMs ?? 5_000);
    // A tab being closed says goodbye: closing the channels lets its peers know at once.
    globalThis.addEventListener?.('pagehide', this.#pageHidden);
  }

  get maxMessageBytes(): number {
    return this.#maxMessageBytes;
  }

  get refusedConnections(): number {
    return this.links.refused;
  }

  send(peerRank: number, bytes: Uint8Array): void {
    if (this.#closed) throw new CommClosedError(`rank ${this.rank}: the transport is closed`);
    const lost = this.#lost.get(peerRank);
    if (lost !== undefined) throw lost;
    const channel = this.#channels.get(peerRank);
    if (channel === undefined) throw new CommUsageError(`rank ${this.rank} has no link to rank ${peerRank}`);
    if (bytes.byteLength > this.maxMessageBytes) throw new MessageTooLargeError(`a message of ${bytes.byteLength} bytes; data channels carry at most ${this.maxMessageBytes}`);
    try {
      channel.send(bytes as Uint8Array<ArrayBuffer>);
    } catch (error) {
      this.#lose(peerRank, error instanceof Error ? error : new Error(String(error)));
      throw this.#lost.get(peerRank) ?? error;
    }
  }

  onMessage(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    for (const [from, bytes] of this.#unheard.splice(0)) listener(from, bytes);
    return () => this.#listeners.delete(listener);
  }

  bufferedAmount(peerRank: number): number {
    return this.#channels.get(peerRank)?.bufferedAmount ?? 0;
  }

  waitForDrain(peerRank: number): Promise<void> {
    const lost = this.#lost.get(peerRank);
    if (lost !== undefined) return Promise.reject(lost);
    if (this.#closed) return Promise.reject(new CommClosedError(`rank ${this.rank}: the transport is closed`));
    if (this.bufferedAmount(peerRank) <= this.#lowWater) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let waiters = this.#drainWaiters.get(peerRank);
      if (waiters === undefined) {
        waiters = new Set();
        this.#drainWaiters.set(peerRank, waiters);
      }
      waiters.add({ resolve, reject });
    });
  }

  onPeerLost(listener: PeerLostListener): () => void {
    this.#lostListeners.add(listener);
    for (const [peer, error] of this.#lost) listener(peer, error.cause instanceof Error ? error.cause : error);
    return () => this.#lostListeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    globalThis.removeEventListener?.('pagehide', this.#pageHidden);
    this.links.close();
    this.#channels.clear();
    this.#rejectDrains(() => new CommClosedError(`rank ${this.rank}: the transport was closed`));
  }

  readonly #pageHidden = (): void => this.close();

  #opened(rank: number, connection: DataConnection): void {
    const channel = connection.dataChannel;
    const sctpLimit = connection.peerConnection.sctp?.maxMessageSize;
    if (sctpLimit !== undefined && Number.isFinite(sctpLimit) && sctpLimit > 0) this.#maxMessageBytes = Math.min(this.#maxMessageBytes, sctpLimit);
    channel.bufferedAmountLowThreshold = this.#lowWater;
    channel.addEventListener('bufferedamountlow', () => {
      const waiters = this.#drainWaiters.get(rank);
      this.#drainWaiters.delete(rank);
      for (const waiter of waiters ?? []) waiter.resolve();
    });
    this.#channels.set(rank, channel);
  }

  #deliver(from: number, bytes: Uint8Array): void {
    if (this.#closed || this.#lost.has(from)) return;
    if (this.#listeners.size === 0) this.#unheard.push([from, bytes]);
    for (const listener of this.#listeners) listener(from, bytes);
  }

  #lose(rank: number, cause: Error): void {
    if (this.#closed || this.#lost.has(rank)) return;
    const error = new PeerLostError(`rank ${rank} is lost: ${cause.message}`, rank, { cause });
    this.#lost.set(rank, error);
    this.#channels.delete(rank);
    this.#rejectDrains(() => error, rank);
    for (const listener of this.#lostListeners) listener(rank, cause);
  }

  #rejectDrains(error: () => Error, only?: number): void {
    for (const [rank, waiters] of this.#drainWaiters) {
      if (only !== undefined && rank !== only) continue;
      this.#drainWaiters.delete(rank);
      for (const waiter of waiters) waiter.reject(error());
    }
  }
}

/** Resolves once the Peer is registered with the signalling server; its errors meanwhile become `PeerConnectError`. */
function waitForServer(peer: Peer, deadline: number): Promise<void> {
  if (peer.open) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new PeerConnectError(`the signalling server did not answer peer ${peer.id} in time`)), Math.max(0, deadline - Date.now()));
    const onOpen = (): void => finish();
    const onError = (error: Error & { type?: string }): void => {
      if (error.type === 'peer-unavailable') return;
      finish(new PeerConnectError(`peer ${peer.id} could not join the signalling server (${error.type ?? error.name}: ${error.message})`, { cause: error }));
    };
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      peer.off('open', onOpen);
      peer.off('error', onError);
      if (error === undefined) resolve();
      else reject(error);
    };
    peer.on('open', onOpen);
    peer.on('error', onError);
  });
}
