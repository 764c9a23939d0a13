/**
 * Raw data-channel throughput for the lab: bytes straight through the transport, outside the
 * comm's protocol, so the benchmark can compare the collectives with what the links carry.
 * `RawTap` sits between the transport and the comm; while a `RawSession` is armed, every
 * message goes to the session instead of the comm. A session may send and receive at once
 * (a ring of raw senders): data messages are counted, and a 1-byte message is the receiver's
 * acknowledgement of the last byte.
 */
import type { RawReceived, RawSent } from './lab-protocol.js';
import type { MessageListener, PeerLostListener, Transport } from '../../worker/index.js';

/**
 * A transport that passes everything through, except while a raw session is armed.
 * @example const tap = new RawTap(transport); const comm = createComm(tap); const session = tap.arm();
 */
export class RawTap implements Transport {
  readonly #listeners = new Set<MessageListener>();
  #session: RawSession | undefined;

  constructor(private readonly inner: Transport) {
    inner.onMessage((from, bytes) => {
      if (this.#session !== undefined) this.#session.take(from, bytes);
      else for (const listener of this.#listeners) listener(from, bytes);
    });
  }

  get rank(): number {
    return this.inner.rank;
  }

  get size(): number {
    return this.inner.size;
  }

  get maxMessageBytes(): number {
    return this.inner.maxMessageBytes;
  }

  /** Diverts every message to a new session until `disarm`. */
  arm(): RawSession {
    this.#session = new RawSession(this);
    return this.#session;
  }

  disarm(): void {
    this.#session = undefined;
  }

  send(peerRank: number, bytes: Uint8Array): void {
    this.inner.send(peerRank, bytes);
  }

  onMessage(listener: MessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  bufferedAmount(peerRank: number): number {
    return this.inner.bufferedAmount(peerRank);
  }

  waitForDrain(peerRank: number): Promise<void> {
    return this.inner.waitForDrain(peerRank);
  }

  onPeerLost(listener: PeerLostListener): () => void {
    return this.inner.onPeerLost(listener);
  }

  close(): void {
    this.inner.close();
  }
}

/**
 * One raw measurement on one tab: what it expects to receive, and what it sends.
 * @example const session = tap.arm(); const received = session.expect(0, 64 << 20); await session.send(1, 64 << 20, 65536, 4 << 20);
 */
export class RawSession {
  readonly #acks = new Map<number, () => void>();
  #expected: { from: number; bytes: number; done: (received: RawReceived) => void } | undefined;
  #received = 0;
  #messages = 0;
  #first = 0;

  constructor(private readonly tap: RawTap) {}

  /** Resolves once `bytes` came from rank `from` (and were acknowledged). */
  expect(from: number, bytes: number): Promise<RawReceived> {
    return new Promise((done) => {
      this.#expected = { from, bytes, done };
    });
  }

  /**
   * Sends `bytes` to rank `to` in messages of `messageBytes`, waiting for `bufferedamountlow`
   * whenever the channel holds more than `highWaterBytes`; resolves on the receiver's ack.
   */
  async send(to: number, bytes: number, messageBytes: number, highWaterBytes: number): Promise<RawSent> {
    const acknowledged = new Promise<void>((resolve) => this.#acks.set(to, resolve));
    const message = new Uint8Array(messageBytes).fill(7);
    let maxBufferedAmount = 0;
    const start = performance.now();
    for (let sent = 0; sent < bytes; sent += messageBytes) {
      if (this.tap.bufferedAmount(to) > highWaterBytes) await this.tap.waitForDrain(to);
      this.tap.send(to, message.subarray(0, Math.min(messageBytes, bytes - sent)));
      maxBufferedAmount = Math.max(maxBufferedAmount, this.tap.bufferedAmount(to));
    }
    await acknowledged;
    return { bytes, seconds: (performance.now() - start) / 1000, maxBufferedAmount };
  }

  take(from: number, bytes: Uint8Array): void {
    if (bytes.byteLength === 1) {
      this.#acks.get(from)?.();
      return;
    }
    const expected = this.#expected;
    if (expected === undefined || from !== expected.from) return;
    if (this.#messages === 0) this.#first = performance.now();
    this.#messages++;
    this.#received += bytes.byteLength;
    if (this.#received < expected.bytes) return;
    this.tap.send(from, Uint8Array.of(1));
    expected.done({ bytes: this.#received, messages: this.#messages, seconds: (performance.now() - this.#first) / 1000 });
  }
}
