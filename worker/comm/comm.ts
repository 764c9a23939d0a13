/**
 * `Comm`, what a gang task reaches as `ctx.comm`: point-to-point messages and collectives between
 * the ranks of a gang, in the manner of `torch.distributed`. Every rank calls the same
 * collectives in the same order; each returns a fresh value the caller owns.
 */
import type { TensorCore } from '../../shared/tensor/index.js';
export type { CallOptions, Comm, CommStats } from '../../shared/index.js';

/** Options of a comm (`createComm`, `createInProcessGang`). */
export interface CommOptions {
  /**
   * How long any operation may take before it rejects with `CollectiveTimeoutError`.
   * @default 30_000
   * @example createComm(transport, { timeoutMs: 120_000 })
   */
  readonly timeoutMs?: number;
  /**
   * The largest message sent, header included; capped at the transport's `maxMessageBytes`.
   * @default 65_536
   */
  readonly messageBytes?: number;
  /**
   * Bytes a link may hold before sends wait for it to drain (Chromium closes a data channel past 16 MiB).
   * @default 4_194_304
   */
  readonly highWaterBytes?: number;
  /**
   * Bytes kept for operations this rank has not started yet (a peer ahead of it); past this the
   * operation they belong to fails with `CommProtocolError`.
   * @default 268_435_456
   */
  readonly maxEarlyBytes?: number;
  /**
   * The tensor core that received tensors are made with (`ctx.tensor`). Results of a call given a
   * tensor are always made on that tensor's backend. A function is called when a core is first
   * needed (so a task's `ctx.tensor` is made only if tensors travel).
   * @default a CPU tensor core of the comm's own
   */
  readonly tensors?: TensorCore | (() => TensorCore);
}

