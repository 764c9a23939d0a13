/**
 * `ctx.comm`, as task code sees it: point-to-point messages and collectives between the ranks of
 * a gang, in the manner of `torch.distributed`. The worker core's comm implements it.
 */
import type { Tensor } from '../tensor/index.js';

/** A plain JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** What `reduce`, `allReduce` and `reduceScatter` take: float32 values, flat or as a tensor. */
export type NumericValue = Float32Array | Tensor;

/** What `send`, `recv`, `broadcast`, `gather` and `allGather` carry. */
export type CommValue = NumericValue | JsonValue;

/** How `reduce`, `allReduce` and `reduceScatter` combine values, elementwise. */
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

/** Per-call options. */
export interface CallOptions {
  /** Reject with `CollectiveTimeoutError` when the call has not finished by then. @default the comm's `timeoutMs` */
  readonly timeoutMs?: number;
}

/** Counters of a comm's traffic. */
export interface CommStats {
  messagesSent: number;
  bytesSent: number;
  /** The most bytes any link held right after a send. */
  maxBufferedAmount: number;
  messagesReceived: number;
  bytesReceived: number;
  /** Messages from a rank that is not another member of the gang: never delivered. */
  refused: number;
  /** Messages for an exchange that had already ended. */
  stale: number;
  /** Messages that broke the protocol. */
  malformed: number;
  /** Ranks this comm has lost. */
  lostPeers: number[];
}

/**
 * Point-to-point messages and collectives between the `size` ranks of a gang. Values are
 * `Float32Array`s, tensors of the tensor core (answered with a tensor of the same shape on the
 * same backend), or small JSON values (point-to-point, broadcast, gather, allGather only).
 * Every operation rejects with `CollectiveTimeoutError` after its timeout, `PeerLostError` when
 * a member it needs is gone, `CommProtocolError` when a member breaks the wire protocol.
 * @example
 * // average gradients over the gang, then agree on the step count
 * const mean = await ctx.comm.allReduce(gradients, 'mean');
 * const steps = await ctx.comm.broadcast(ctx.rank === 0 ? { steps: 100 } : undefined, 0);
 * const losses = await ctx.comm.allGather(Float32Array.of(loss));
 * await ctx.comm.barrier();
 */
export interface Comm {
  /** This member's rank, 0..size-1. */
  readonly rank: number;
  /** How many members the gang has. */
  readonly size: number;

  /** Sends `value` to rank `to`; resolves once it is handed to the link. @example await comm.send(1, Float32Array.of(1, 2)) */
  send(to: number, value: CommValue, options?: CallOptions): Promise<void>;
  /** The next value rank `from` sent to this rank. @example const weights = await comm.recv<Float32Array>(0) */
  recv<T extends CommValue = CommValue>(from: number, options?: CallOptions): Promise<T>;
  /** Root's `value` on every rank (others may pass `undefined`). @example const config = await comm.broadcast(rank === 0 ? config : undefined, 0) */
  broadcast<T extends CommValue>(value: T | undefined, root: number, options?: CallOptions): Promise<T>;
  /** Every rank's value, by rank, on `root`; `undefined` elsewhere. @example const parts = await comm.gather(part, 0) */
  gather<T extends CommValue>(value: T, root: number, options?: CallOptions): Promise<T[] | undefined>;
  /** Every rank's value, by rank, on every rank. @example const counts = await comm.allGather(count) */
  allGather<T extends CommValue>(value: T, options?: CallOptions): Promise<T[]>;
  /** The elementwise `op` of every rank's value, on `root`; `undefined` elsewhere. @example const total = await comm.reduce(local, 'sum', 0) */
  reduce<T extends NumericValue>(value: T, op: ReduceOp, root: number, options?: CallOptions): Promise<T | undefined>;
  /**
   * The elementwise `op` of every rank's value, on every rank (a pipelined ring: reduce-scatter,
   * then all-gather). Every rank gets the same bits.
   * @example const summed = await comm.allReduce(gradients, 'sum')
   */
  allReduce<T extends NumericValue>(value: T, op?: ReduceOp, options?: CallOptions): Promise<T>;
  /**
   * This rank's segment of the elementwise `op`: the values cut into `size` segments whose lengths
   * differ by at most one, segment `rank`. A tensor whose first dimension divides by `size` is cut
   * along it (`[rows / size, ...]`); any other comes back flat.
   * @example const mine = await comm.reduceScatter(gradients, 'sum')
   */
  reduceScatter<T extends NumericValue>(value: T, op?: ReduceOp, options?: CallOptions): Promise<T>;
  /** Resolves once every rank has called it. @example await comm.barrier() */
  barrier(options?: CallOptions): Promise<void>;

  /** Traffic so far. @example console.log(comm.stats().bytesSent) */
  stats(): CommStats;
  /** Closes the links; pending operations reject with `CommClosedError`. Idempotent. */
  close(): void;
}
