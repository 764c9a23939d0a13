/**
 * Where received bytes go: refused when the sender is not a member, decoded and checked,
 * handed to the running exchange they belong to, kept for one that has not started yet (a peer
 * may be ahead), dropped when their exchange is over (late chunks of a collective that timed
 * out). Sequence numbers from each peer must never go backwards.
 */
import { CommProtocolError } from './errors.js';
import type { Exchange } from './exchange.js';
import { type Message, type OpName, decodeMessage } from './wire.js';
import type { CommStats } from '../../shared/index.js';

/** Counters of what came in. */
export type InboxStats = Pick<CommStats, 'messagesReceived' | 'bytesReceived' | 'refused' | 'stale' | 'malformed'>;

interface EarlyMail {
  readonly messages: [number, Message][];
  bytes: number;
  error?: CommProtocolError;
}

/**
 * Routes messages by exchange key: `c<seq>` for collectives, `p<from>:<seq>` for point-to-point.
 * @example
 * const inbox = new Inbox(rank, size, 256 << 20);
 * transport.onMessage((from, bytes) => inbox.receive(from, bytes));
 * const seq = inbox.nextCollectiveSeq();
 * inbox.open(Inbox.collectiveKey(seq), exchange);
 */
export class Inbox {
  readonly stats: InboxStats = { messagesReceived: 0, bytesReceived: 0, refused: 0, stale: 0, malformed: 0 };
  readonly #active = new Map<string, Exchange>();
  readonly #early = new Map<string, EarlyMail>();
  #earlyBytes = 0;
  readonly #lastSeq = new Map<string, number>();
  readonly #peerErrors = new Map<number, CommProtocolError>();
  #nextCollective = 0;
  readonly #nextReceive: number[];

  constructor(
    private readonly rank: number,
    private readonly size: number,
    private readonly maxEarlyBytes: number,
  ) {
    this.#nextReceive = new Array<number>(size).fill(0);
  }

  static collectiveKey(seq: number): string {
    return `c${seq}`;
  }

  static pointKey(from: number, seq: number): string {
    return `p${from}:${seq}`;
  }

  /** Takes the next collective sequence number; lower ones are over. */
  nextCollectiveSeq(): number {
    return this.#nextCollective++;
  }

  /** Takes the next sequence number of messages from `from`. */
  nextReceiveSeq(from: number): number {
    const seq = this.#nextReceive[from] ?? 0;
    this.#nextReceive[from] = seq + 1;
    return seq;
  }

  /** Starts routing `key` to `exchange`, with what came for it before. */
  open(key: string, exchange: Exchange): void {
    this.#active.set(key, exchange);
    for (const peer of exchange.spec.peers) {
      const error = this.#peerErrors.get(peer);
      if (error === undefined) continue;
      this.#peerErrors.delete(peer);
      exchange.fail(error);
    }
    const early = this.#early.get(key);
    if (early === undefined) return;
    this.#early.delete(key);
    this.#earlyBytes -= early.bytes;
    if (early.error !== undefined) exchange.fail(early.error);
    for (const [from, message] of early.messages) exchange.deliver(from, message);
  }

  /** Stops routing `key`; later messages for it are stale. */
  close(key: string): void {
    this.#active.delete(key);
  }

  receive(from: number, bytes: Uint8Array): void {
    if (!Number.isInteger(from) || from < 0 || from >= this.size || from === this.rank) {
      this.stats.refused++;
      return;
    }
    this.stats.messagesReceived++;
    this.stats.bytesReceived += bytes.byteLength;
    const decoded = decodeMessage(bytes);
    if ('error' in decoded) {
      this.#misbehaved(from, decoded.error, decoded.claimed);
      return;
    }
    const { op, seq } = decoded.header;
    const orderKey = `${op === 'send' ? 'p' : 'c'}${from}`;
    const last = this.#lastSeq.get(orderKey) ?? 0;
    if (seq < last) {
      this.#misbehaved(from, new CommProtocolError(`${op} #${seq}: rank ${from} sent it after a message of #${last}`), { op, seq });
      return;
    }
    this.#lastSeq.set(orderKey, seq);
    const key = this.#keyOf(op, from, seq);
    const exchange = this.#active.get(key);
    if (exchange !== undefined) exchange.deliver(from, decoded);
    else if (this.#isOver(op, from, seq)) this.stats.stale++;
    else this.#keep(key, from, decoded);
  }

  #keyOf(op: OpName, from: number, seq: number): string {
    return op === 'send' ? Inbox.pointKey(from, seq) : Inbox.collectiveKey(seq);
  }

  #isOver(op: OpName, from: number, seq: number): boolean {
    return op === 'send' ? seq < (this.#nextReceive[from] ?? 0) : seq < this.#nextCollective;
  }

  #keep(key: string, from: number, message: Message): void {
    let early = this.#early.get(key);
    if (early === undefined) {
      early = { messages: [], bytes: 0 };
      this.#early.set(key, early);
    }
    if (early.error !== undefined) return;
    const bytes = message.payload.byteLength;
    if (this.#earlyBytes + bytes > this.maxEarlyBytes) {
      early.error = new CommProtocolError(`rank ${from} sent more than the ${this.maxEarlyBytes} bytes kept for operations this rank has not started`);
      this.#earlyBytes -= early.bytes;
      early.messages.length = 0;
      early.bytes = 0;
      return;
    }
    early.messages.push([from, message]);
    early.bytes += bytes;
    this.#earlyBytes += bytes;
  }

  /** A message that broke the protocol fails the exchange it claims, or every running one with its sender. */
  #misbehaved(from: number, error: CommProtocolError, claimed?: { op: OpName; seq: number }): void {
    this.stats.malformed++;
    if (claimed !== undefined) {
      const key = this.#keyOf(claimed.op, from, claimed.seq);
      const exchange = this.#active.get(key);
      if (exchange !== undefined) exchange.fail(error);
      else if (!this.#isOver(claimed.op, from, claimed.seq)) this.#keepError(key, error);
      return;
    }
    let failed = false;
    for (const exchange of this.#active.values()) {
      if (!exchange.spec.peers.includes(from)) continue;
      exchange.fail(error);
      failed = true;
    }
    if (!failed) this.#peerErrors.set(from, error);
  }

  #keepError(key: string, error: CommProtocolError): void {
    const early = this.#early.get(key) ?? { messages: [], bytes: 0 };
    early.error ??= error;
    this.#early.set(key, early);
  }
}
