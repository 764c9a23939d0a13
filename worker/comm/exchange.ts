/**
 * One run of one operation (a collective, or one point-to-point message): the messages it sends
 * and expects, checked as they come, and the one way it ends early (`fail`).
 */
import { CommProtocolError } from './errors.js';
import type { Outbox } from './outbox.js';
import { ValueReceiver, valueMessages } from './value-stream.js';
import type { EncodedValue } from './values.js';
import type { Message, OpName } from './wire.js';

/** What an exchange is, and what it accepts. */
export interface ExchangeSpec {
  readonly op: OpName;
  readonly seq: number;
  readonly root: number;
  /** Peers whose loss ends this exchange. */
  readonly peers: readonly number[];
  /** Whether a value stream from `from` with this `step` belongs here. */
  readonly acceptsValue: (from: number, step: number) => boolean;
  /** The peer ring chunks come from, when the exchange runs a ring. */
  readonly ringFrom?: number;
}

/** A handler of ring chunks. */
export type RingHandler = (message: Message) => void;

/**
 * Messages of one operation, in and out.
 * @example
 * const exchange = new Exchange(spec, outbox, 65536, 'broadcast #2');
 * exchange.sendValue(1, encoded);
 * const value = await exchange.receiveValue(0);
 * await exchange.flush();
 */
export class Exchange {
  /** Peers heard from, for timeout messages. */
  readonly heardFrom = new Set<number>();
  readonly #failure: Promise<never>;
  #reject!: (error: Error) => void;
  #failedWith: Error | undefined;
  readonly #receivers = new Map<string, ValueReceiver>();
  readonly #sends: Promise<void>[] = [];
  #ringHandler: RingHandler | undefined;
  readonly #earlyRing: Message[] = [];

  constructor(
    readonly spec: ExchangeSpec,
    private readonly outbox: Outbox,
    private readonly messageBytes: number,
    readonly label: string,
  ) {
    this.#failure = new Promise<never>((_, reject) => {
      this.#reject = reject;
    });
    this.#failure.catch(() => undefined);
  }

  get failed(): boolean {
    return this.#failedWith !== undefined;
  }

  /** Ends the exchange with `error` (the first error wins). */
  fail(error: Error): void {
    if (this.#failedWith !== undefined) return;
    this.#failedWith = error;
    this.#reject(error);
  }

  /** Takes one message from `from`; a message that does not belong fails the exchange. */
  deliver(from: number, message: Message): void {
    if (this.#failedWith !== undefined) return;
    this.heardFrom.add(from);
    try {
      this.#route(from, message);
    } catch (error) {
      this.fail(error instanceof Error ? error : new CommProtocolError(String(error)));
    }
  }

  /** Queues `value` to `to` as chunks. */
  sendValue(to: number, value: EncodedValue, step = 0): void {
    const address = { op: this.spec.op, seq: this.spec.seq, root: this.spec.root, step };
    for (const message of valueMessages(value, address, this.messageBytes)) this.send(to, message);
  }

  /** Queues one whole message to `to`. */
  send(to: number, message: Uint8Array): void {
    const sent = this.outbox.send(to, message);
    sent.catch((error: unknown) => this.fail(error as Error));
    this.#sends.push(sent);
  }

  /** The value streamed from `from` as value `step` of this exchange. */
  receiveValue(from: number, step = 0): Promise<EncodedValue> {
    return this.settle(this.#receiver(from, step).value);
  }

  /** Sets the handler of ring chunks and gives it those that came before. */
  onRing(handler: RingHandler): void {
    this.#ringHandler = handler;
    for (const message of this.#earlyRing.splice(0)) {
      if (this.#failedWith !== undefined) return;
      this.#handleRing(message);
    }
  }

  /** `promise`, unless the exchange fails first. */
  settle<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.#failure]);
  }

  /** Resolves once every queued message was handed to the transport. */
  async flush(): Promise<void> {
    while (this.#sends.length > 0) await this.settle(Promise.all(this.#sends.splice(0)));
    if (this.#failedWith !== undefined) throw this.#failedWith;
  }

  #route(from: number, message: Message): void {
    const { header } = message;
    const { op, seq, root } = this.spec;
    if (header.op !== op) throw new CommProtocolError(`${this.label}: rank ${from} sent ${header.op} #${seq}; this rank runs ${op} as #${seq}`);
    if (header.root !== root) throw new CommProtocolError(`${this.label}: rank ${from} has root ${header.root}, this rank ${root}`);
    if (header.kind === 'ring') {
      if (this.spec.ringFrom !== from) throw new CommProtocolError(`${this.label}: a ring chunk from rank ${from}, which is not this rank's left neighbour`);
      if (this.#ringHandler === undefined) this.#earlyRing.push(message);
      else this.#handleRing(message);
      return;
    }
    if (!this.spec.acceptsValue(from, header.step)) {
      throw new CommProtocolError(`${this.label}: rank ${from} sent value ${header.step}, which this rank does not expect from it`);
    }
    this.#receiver(from, header.step).add(header, message.payload);
  }

  #handleRing(message: Message): void {
    try {
      this.#ringHandler?.(message);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  #receiver(from: number, step: number): ValueReceiver {
    const key = `${from}:${step}`;
    let receiver = this.#receivers.get(key);
    if (receiver === undefined) {
      receiver = new ValueReceiver(`${this.label}: value ${step} from rank ${from}`);
      this.#receivers.set(key, receiver);
    }
    return receiver;
  }
}
