/**
 * The `Comm` over a `Transport`: sequence numbers, timeouts, lost peers and closing here; what
 * each collective sends and expects in `collectives.ts`, the ring in `ring.ts`.
 */
import type { TensorCore } from '../../shared/tensor/index.js';
import * as collectives from './collectives.js';
import type { CollectivePlan, GangContext } from './plan.js';
import type { CallOptions, Comm, CommOptions, CommStats } from './comm.js';
import { CollectiveTimeoutError, CommClosedError, CommUsageError, PeerLostError } from './errors.js';
import { Exchange, type ExchangeSpec } from './exchange.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import type { Transport } from './transport.js';
import type { CommValue, NumericValue } from './values.js';
import { HEADER_BYTES, type ReduceOp } from './wire.js';

const DEFAULTS = { timeoutMs: 30_000, messageBytes: 64 * 1024, highWaterBytes: 4 * 1024 * 1024, maxEarlyBytes: 256 * 1024 * 1024 };

/**
 * A comm for this rank over `transport`.
 * @example
 * const transport = await createPeerJsTransport({ peer, rank, peerIds });
 * const comm = createComm(transport, { tensors: ctx.tensor });
 * const mean = await comm.allReduce(gradients, 'mean');
 */
export function createComm(transport: Transport, options: CommOptions = {}): Comm {
  return new GangComm(transport, options);
}

class GangComm implements Comm, GangContext {
  readonly rank: number;
  readonly size: number;
  readonly messageBytes: number;
  readonly others: readonly number[];
  readonly #timeoutMs: number;
  readonly #inbox: Inbox;
  readonly #outbox: Outbox;
  readonly #running = new Set<Exchange>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #lost = new Map<number, PeerLostError>();
  readonly #sendSeq: number[];
  readonly #unsubscribe: (() => void)[];
  readonly #tensors: CommOptions['tensors'];
  #closed = false;

  constructor(
    private readonly transport: Transport,
    options: CommOptions,
  ) {
    this.rank = transport.rank;
    this.size = transport.size;
    this.others = Array.from({ length: this.size }, (_, rank) => rank).filter((rank) => rank !== this.rank);
    this.messageBytes = Math.min(options.messageBytes ?? DEFAULTS.messageBytes, transport.maxMessageBytes);
    if (this.messageBytes < HEADER_BYTES + 4) throw new CommUsageError(`messages of ${this.messageBytes} bytes cannot carry a float after the ${HEADER_BYTES}-byte header`);
    this.#tensors = options.tensors;
    this.#timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.#inbox = new Inbox(this.rank, this.size, options.maxEarlyBytes ?? DEFAULTS.maxEarlyBytes);
    this.#outbox = new Outbox(transport, options.highWaterBytes ?? DEFAULTS.highWaterBytes);
    this.#sendSeq = new Array<number>(this.size).fill(0);
    this.#unsubscribe = [
      transport.onMessage((from, bytes) => this.#inbox.receive(from, bytes)),
      transport.onPeerLost((peer, cause) => this.#peerLost(peer, cause)),
    ];
  }

  async send(to: number, value: CommValue, options?: CallOptions): Promise<void> {
    this.#checkPeer('send', to);
    const seq = this.#sendSeq[to] ?? 0;
    this.#sendSeq[to] = seq + 1;
    const spec = { op: 'send' as const, seq, root: 0, peers: [to], acceptsValue: () => false };
    return await this.#execute(spec, [], undefined, `send ${to}`, options, (exchange) => collectives.send(this, exchange, to, value));
  }

  async recv<T extends CommValue = CommValue>(from: number, options?: CallOptions): Promise<T> {
    this.#checkPeer('recv', from);
    const seq = this.#inbox.nextReceiveSeq(from);
    const spec = { op: 'send' as const, seq, root: 0, peers: [from], acceptsValue: (sender: number, step: number) => sender === from && step === 0 };
    return await this.#execute(spec, [from], Inbox.pointKey(from, seq), `recv ${from}`, options, (exchange) => collectives.recv<T>(this, exchange, from));
  }

  async broadcast<T extends CommValue>(value: T | undefined, root: number, options?: CallOptions): Promise<T> {
    return await this.#collective(collectives.broadcastPlan(this, value, this.#root('broadcast', root)), options);
  }

  async gather<T extends CommValue>(value: T, root: number, options?: CallOptions): Promise<T[] | undefined> {
    return await this.#collective(collectives.gatherPlan(this, value, this.#root('gather', root)), options);
  }

  async allGather<T extends CommValue>(value: T, options?: CallOptions): Promise<T[]> {
    return await this.#collective(collectives.allGatherPlan(this, value, 'allGather'), options);
  }

  async reduce<T extends NumericValue>(value: T, op: ReduceOp, root: number, options?: CallOptions): Promise<T | undefined> {
    return await this.#collective(collectives.reducePlan(this, value, collectives.checkReduceOp('reduce', op), this.#root('reduce', root)), options);
  }

  async allReduce<T extends NumericValue>(value: T, op: ReduceOp = 'sum', options?: CallOptions): Promise<T> {
    return await this.#collective(collectives.allReducePlan(this, value, collectives.checkReduceOp('allReduce', op)), options);
  }

  async reduceScatter<T extends NumericValue>(value: T, op: ReduceOp = 'sum', options?: CallOptions): Promise<T> {
    return await this.#collective(collectives.reduceScatterPlan(this, value, collectives.checkReduceOp('reduceScatter', op)), options);
  }

  async barrier(options?: CallOptions): Promise<void> {
    await this.#collective(collectives.allGatherPlan(this, new Float32Array(0), 'barrier'), options);
  }

  stats(): CommStats {
    return { ...this.#outbox.stats, ...this.#inbox.stats, lostPeers: [...this.#lost.keys()] };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.transport.close();
    for (const exchange of this.#running) exchange.fail(new CommClosedError(`${exchange.label}: the comm was closed`));
  }

  /** The core received tensors are made on (`options.tensors`, read when first needed). */
  get tensors(): TensorCore | undefined {
    const tensors = this.#tensors;
    return typeof tensors === 'function' ? tensors() : tensors;
  }

  #collective<T>(plan: CollectivePlan<T>, options: CallOptions | undefined): Promise<T> {
    const seq = this.#inbox.nextCollectiveSeq();
    const spec: ExchangeSpec = { op: plan.op, seq, root: plan.root, peers: this.others, acceptsValue: plan.acceptsValue, ...(plan.ringFrom === undefined ? {} : { ringFrom: plan.ringFrom }) };
    return this.#execute(spec, plan.senders, Inbox.collectiveKey(seq), 'collectives', options, plan.body);
  }

  /**
   * Runs one operation after those queued before it on `queue` (all collectives share one; sends
   * queue per destination), so each rank's messages leave in call order and sequence numbers
   * never go backwards on a link.
   */
  async #execute<T>(spec: ExchangeSpec, senders: readonly number[], key: string | undefined, queue: string, options: CallOptions | undefined, body: (exchange: Exchange) => Promise<T>): Promise<T> {
    const label = `${spec.op} #${spec.seq} (rank ${this.rank} of ${this.size})`;
    const exchange = new Exchange(spec, this.#outbox, this.messageBytes, label);
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
    if (key !== undefined) this.#inbox.open(key, exchange);
    this.#running.add(exchange);
    const release = await this.#turn(queue);
    const timer = setTimeout(() => exchange.fail(this.#timeoutError(exchange, senders, timeoutMs)), timeoutMs);
    try {
      if (this.#closed) exchange.fail(new CommClosedError(`${label}: the comm is closed`));
      for (const peer of spec.peers) {
        const lost = this.#lost.get(peer);
        if (lost !== undefined) exchange.fail(lost);
      }
      const result = await exchange.settle(body(exchange));
      await exchange.flush();
      return result;
    } finally {
      release();
      clearTimeout(timer);
      this.#running.delete(exchange);
      if (key !== undefined) this.#inbox.close(key);
    }
  }

  /** Waits for the operations queued on `queue` before this one; returns what lets the next one go. */
  async #turn(queue: string): Promise<() => void> {
    const previous = this.#queues.get(queue);
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#queues.set(queue, done);
    await previous;
    return () => {
      if (this.#queues.get(queue) === done) this.#queues.delete(queue);
      release();
    };
  }

  #timeoutError(exchange: Exchange, senders: readonly number[], timeoutMs: number): CollectiveTimeoutError {
    const silent = senders.filter((peer) => !exchange.heardFrom.has(peer));
    const detail = silent.length > 0 ? `nothing came from rank ${silent.join(', ')}` : 'every rank it waits on had started, but not finished';
    return new CollectiveTimeoutError(`${exchange.label} timed out after ${timeoutMs} ms; ${detail}`);
  }

  #peerLost(peer: number, cause: Error): void {
    if (this.#lost.has(peer)) return;
    const error = new PeerLostError(`rank ${peer} is lost: ${cause.message}`, peer, { cause });
    this.#lost.set(peer, error);
    this.#outbox.fail(peer, error);
    for (const exchange of this.#running) if (exchange.spec.peers.includes(peer)) exchange.fail(error);
  }

  #checkPeer(op: string, peer: number): void {
    if (!Number.isInteger(peer) || peer < 0 || peer >= this.size || peer === this.rank) {
      throw new CommUsageError(`${op}: rank ${peer} is not another member of this gang of ${this.size} (this is rank ${this.rank})`);
    }
  }

  #root(op: string, root: number): number {
    if (!Number.isInteger(root) || root < 0 || root >= this.size) throw new CommUsageError(`${op}: root ${root} is not a rank of this gang of ${this.size}`);
    return root;
  }
}
