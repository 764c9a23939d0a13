/**
 * Per-peer send queues with backpressure: messages go to the transport in the order queued,
 * and only while the peer's link holds at most `highWaterBytes`; past that the queue waits for
 * the link to drain (`bufferedamountlow` on a data channel) instead of overfilling it (Chromium
 * closes a data channel whose buffer passes 16 MiB).
 */
import type { Transport } from './transport.js';
import type { CommStats } from '../../shared/index.js';

interface Queued {
  readonly bytes: Uint8Array;
  readonly sent: () => void;
  readonly failed: (error: unknown) => void;
}

/** Counters of what went out. */
export type OutboxStats = Pick<CommStats, 'messagesSent' | 'bytesSent' | 'maxBufferedAmount'>;

/**
 * Ordered, backpressured sends to each peer of a transport.
 * @example
 * const outbox = new Outbox(transport, 4 << 20);
 * await outbox.send(1, message); // handed to the transport, in order
 */
export class Outbox {
  readonly stats: OutboxStats = { messagesSent: 0, bytesSent: 0, maxBufferedAmount: 0 };
  readonly #queues = new Map<number, Queued[]>();
  readonly #pumping = new Set<number>();

  constructor(
    private readonly transport: Transport,
    private readonly highWaterBytes: number,
  ) {}

  /** Resolves once `bytes` is handed to the transport; rejects with the transport's error. */
  send(peer: number, bytes: Uint8Array): Promise<void> {
    const queue = this.#queueOf(peer);
    if (queue.length === 0 && this.transport.bufferedAmount(peer) <= this.highWaterBytes) {
      try {
        this.#hand(peer, bytes);
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return new Promise((sent, failed) => {
      queue.push({ bytes, sent, failed });
      void this.#pump(peer);
    });
  }

  /** Rejects everything queued for `peer` with `error`. */
  fail(peer: number, error: Error): void {
    const queue = this.#queueOf(peer);
    for (const item of queue.splice(0)) item.failed(error);
  }

  async #pump(peer: number): Promise<void> {
    if (this.#pumping.has(peer)) return;
    this.#pumping.add(peer);
    const queue = this.#queueOf(peer);
    try {
      while (queue.length > 0) {
        if (this.transport.bufferedAmount(peer) > this.highWaterBytes) {
          try {
            await this.transport.waitForDrain(peer);
          } catch (error) {
            this.fail(peer, error as Error);
            return;
          }
          continue;
        }
        const item = queue.shift();
        if (item === undefined) break;
        try {
          this.#hand(peer, item.bytes);
          item.sent();
        } catch (error) {
          item.failed(error);
          this.fail(peer, error as Error);
          return;
        }
      }
    } finally {
      this.#pumping.delete(peer);
    }
  }

  #hand(peer: number, bytes: Uint8Array): void {
    this.transport.send(peer, bytes);
    this.stats.messagesSent++;
    this.stats.bytesSent += bytes.byteLength;
    this.stats.maxBufferedAmount = Math.max(this.stats.maxBufferedAmount, this.transport.bufferedAmount(peer));
  }

  #queueOf(peer: number): Queued[] {
    let queue = this.#queues.get(peer);
    if (queue === undefined) {
      queue = [];
      this.#queues.set(peer, queue);
    }
    return queue;
  }
}
