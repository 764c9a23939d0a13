/**
 * A transport carried over a `MessagePort`: the links live on one side (a tab's page, which has
 * WebRTC; a Node worker's main thread, which holds an in-process network) and the task runs on
 * the other (a Web Worker, a worker thread). `relayTransport` serves a real transport on one end
 * of a `MessageChannel`; `createPortTransport` is the `Transport` the task's comm uses on the
 * other. Bytes cross as transferred buffers; `bufferedAmount` counts what is still on its way to
 * the links plus what the links last said they hold.
 */
import { CommClosedError, CommUsageError, MessageTooLargeError, PeerLostError } from './errors.js';
import { DEFAULT_LOW_WATER_BYTES, type MessageListener, type PeerLostListener, type Transport } from './transport.js';

/** The part of a `MessagePort` used here (browsers' and Node's both have it). */
export interface CommPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

/** A rank's place in its gang and what its links allow, for {@link createPortTransport}. */
export interface PortTransportInit {
  readonly rank: number;
  readonly size: number;
  readonly maxMessageBytes: number;
  /** Where `waitForDrain` resolves at once. @default 1_048_576 */
  readonly lowWaterBytes?: number;
}

type ErrorData = { name: string; message: string };

/** Task side → links side. */
type ToLinks = { t: 'send'; to: number; bytes: Uint8Array } | { t: 'drain'; to: number; id: number } | { t: 'close' };

/** Links side → task side. */
type ToTask =
  | { t: 'message'; from: number; bytes: Uint8Array }
  | { t: 'handed'; to: number; bytes: number; amount: number }
  | { t: 'drained'; to: number; id: number; amount: number }
  | { t: 'drain-failed'; to: number; id: number; error: ErrorData }
  | { t: 'lost'; rank: number; error: ErrorData };

/**
 * Serves `transport` to the other end of `port`: what comes through the port is sent on the
 * links, and what the links receive or lose goes back through it. Answers the stop, which
 * detaches from the transport and closes the port (as a `close` from the other side does); the
 * transport itself stays open: closing it is its owner's call (see `GangLink`).
 * @example
 * const channel = new MessageChannel();
 * const stop = relayTransport(await createPeerJsTransport({ peer, rank, peerIds }), channel.port1);
 * worker.postMessage({ type: 'run', lease, source, comm: { port: channel.port2, ... } }, [channel.port2]);
 */
export function relayTransport(transport: Transport, port: CommPort): () => void {
  let stopped = false;
  const post = (message: ToTask, transfer: Transferable[] = []): void => {
    if (!stopped) port.postMessage(message, transfer);
  };
  const offMessage = transport.onMessage((from, bytes) => {
    const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    post({ t: 'message', from, bytes: copy }, [copy.buffer as ArrayBuffer]);
  });
  const offLost = transport.onPeerLost((rank, cause) => post({ t: 'lost', rank, error: errorData(cause) }));
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    offMessage();
    offLost();
    port.onmessage = null;
    port.close();
  };
  port.onmessage = (event: MessageEvent) => {
    const message = event.data as ToLinks;
    switch (message.t) {
      case 'send':
        try {
          transport.send(message.to, message.bytes);
        } catch (error) {
          post({ t: 'lost', rank: message.to, error: errorData(error) });
        }
        post({ t: 'handed', to: message.to, bytes: message.bytes.byteLength, amount: transport.bufferedAmount(message.to) });
        return;
      case 'drain':
        transport.waitForDrain(message.to).then(
          () => post({ t: 'drained', to: message.to, id: message.id, amount: transport.bufferedAmount(message.to) }),
          (error: unknown) => post({ t: 'drain-failed', to: message.to, id: message.id, error: errorData(error) }),
        );
        return;
      case 'close':
        stop();
        return;
    }
  };
  return stop;
}

/**
 * The task side of a relayed transport: a `Transport` whose links are on the other end of `port`.
 * @example
 * const comm = createComm(createPortTransport(request.comm.port, request.comm), { timeoutMs });
 */
export function createPortTransport(port: CommPort, init: PortTransportInit): Transport {
  return new PortTransport(port, init);
}

class PortTransport implements Transport {
  readonly rank: number;
  readonly size: number;
  readonly maxMessageBytes: number;
  readonly #lowWater: number;
  readonly #port: CommPort;
  /** Bytes posted towards each peer that the links have not yet taken. */
  readonly #onTheWay: number[];
  /** What the links last said they hold towards each peer. */
  readonly #held: number[];
  readonly #lost = new Map<number, Error>();
  readonly #drains = new Map<number, { to: number; resolve: () => void; reject: (error: Error) => void }>();
  readonly #listeners = new Set<MessageListener>();
  readonly #lostListeners = new Set<PeerLostListener>();
  readonly #unheard: [number, Uint8Array][] = [];
  #nextDrain = 0;
  #closed = false;

  constructor(port: CommPort, init: PortTransportInit) {
    if (!Number.isInteger(init.rank) || init.rank < 0 || init.rank >= init.size) throw new CommUsageError(`rank ${init.rank} is not a rank of a gang of ${init.size}`);
    this.rank = init.rank;
    this.size = init.size;
    this.maxMessageBytes = init.maxMessageBytes;
    this.#lowWater = init.lowWaterBytes ?? DEFAULT_LOW_WATER_BYTES;
    this.#port = port;
    this.#onTheWay = new Array<number>(init.size).fill(0);
    this.#held = new Array<number>(init.size).fill(0);
    port.onmessage = (event: MessageEvent) => this.#receive(event.data as ToTask);
  }

  send(peerRank: number, bytes: Uint8Array): void {
    if (this.#closed) throw new CommClosedError(`rank ${this.rank}: the transport is closed`);
    this.#checkPeer(peerRank);
    const lost = this.#lost.get(peerRank);
    if (lost !== undefined) throw new PeerLostError(`rank ${peerRank} is lost: ${lost.message}`, peerRank, { cause: lost });
    if (bytes.byteLength > this.maxMessageBytes) throw new MessageTooLargeError(`a message of ${bytes.byteLength} bytes; links carry at most ${this.maxMessageBytes}`);
    const copy = bytes.slice();
    this.#onTheWay[peerRank]! += copy.byteLength;
    this.#port.postMessage({ t: 'send', to: peerRank, bytes: copy } satisfies ToLinks, [copy.buffer]);
  }

  onMessage(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    for (const [from, bytes] of this.#unheard.splice(0)) listener(from, bytes);
    return () => this.#listeners.delete(listener);
  }

  bufferedAmount(peerRank: number): number {
    return (this.#onTheWay[peerRank] ?? 0) + (this.#held[peerRank] ?? 0);
  }

  waitForDrain(peerRank: number): Promise<void> {
    if (this.#closed) return Promise.reject(new CommClosedError(`rank ${this.rank}: the transport is closed`));
    this.#checkPeer(peerRank);
    const lost = this.#lost.get(peerRank);
    if (lost !== undefined) return Promise.reject(new PeerLostError(`rank ${peerRank} is lost: ${lost.message}`, peerRank, { cause: lost }));
    if (this.bufferedAmount(peerRank) <= this.#lowWater) return Promise.resolve();
    const id = this.#nextDrain++;
    return new Promise((resolve, reject) => {
      this.#drains.set(id, { to: peerRank, resolve, reject });
      this.#port.postMessage({ t: 'drain', to: peerRank, id } satisfies ToLinks);
    });
  }

  onPeerLost(listener: PeerLostListener): () => void {
    this.#lostListeners.add(listener);
    for (const [peer, cause] of this.#lost) listener(peer, cause);
    return () => this.#lostListeners.delete(listener);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const drain of this.#drains.values()) drain.reject(new CommClosedError(`rank ${this.rank}: the transport was closed`));
    this.#drains.clear();
    this.#port.onmessage = null;
    this.#port.postMessage({ t: 'close' } satisfies ToLinks);
    this.#port.close();
  }

  #checkPeer(peerRank: number): void {
    if (!Number.isInteger(peerRank) || peerRank < 0 || peerRank >= this.size || peerRank === this.rank) throw new CommUsageError(`rank ${this.rank} has no link to rank ${peerRank}`);
  }

  #receive(message: ToTask): void {
    if (this.#closed) return;
    switch (message.t) {
      case 'message':
        if (this.#lost.has(message.from)) return;
        if (this.#listeners.size === 0) this.#unheard.push([message.from, message.bytes]);
        for (const listener of this.#listeners) listener(message.from, message.bytes);
        return;
      case 'handed':
        this.#onTheWay[message.to] = Math.max(0, this.#onTheWay[message.to]! - message.bytes);
        this.#held[message.to] = message.amount;
        return;
      case 'drained': {
        this.#held[message.to] = message.amount;
        const drain = this.#drains.get(message.id);
        this.#drains.delete(message.id);
        drain?.resolve();
        return;
      }
      case 'drain-failed': {
        const drain = this.#drains.get(message.id);
        this.#drains.delete(message.id);
        drain?.reject(this.#lostError(message.to, message.error));
        return;
      }
      case 'lost':
        this.#lose(message.rank, message.error);
        return;
    }
  }

  #lose(rank: number, data: ErrorData): void {
    if (this.#lost.has(rank)) return;
    const cause = Object.assign(new Error(data.message), { name: data.name });
    this.#lost.set(rank, cause);
    for (const [id, drain] of this.#drains) {
      if (drain.to !== rank) continue;
      this.#drains.delete(id);
      drain.reject(this.#lostError(rank, data));
    }
    for (const listener of this.#lostListeners) listener(rank, cause);
  }

  #lostError(rank: number, data: ErrorData): Error {
    if (data.name === 'CommClosedError') return new CommClosedError(data.message);
    return new PeerLostError(data.message.startsWith(`rank ${rank}`) ? data.message : `rank ${rank} is lost: ${data.message}`, rank);
  }
}

function errorData(error: unknown): ErrorData {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
