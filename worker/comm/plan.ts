/** The shapes a collective is written in: what its body needs of the comm, and how it is run. */
import type { TensorCore } from '../../shared/tensor/index.js';
import type { Exchange, ExchangeSpec } from './exchange.js';
import type { OpName } from './wire.js';

/** What a collective body needs of the comm. */
export interface GangContext {
  readonly rank: number;
  readonly size: number;
  readonly messageBytes: number;
  readonly tensors: TensorCore | undefined;
  /** Every rank but this one. */
  readonly others: readonly number[];
}

/** How a collective is run: its exchange's spec (less the seq) and its body. */
export interface CollectivePlan<T> {
  readonly op: OpName;
  readonly root: number;
  readonly senders: readonly number[];
  readonly acceptsValue: ExchangeSpec['acceptsValue'];
  readonly ringFrom?: number;
  readonly body: (exchange: Exchange) => Promise<T>;
}
