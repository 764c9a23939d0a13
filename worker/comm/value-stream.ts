/**
 * One encoded value as a stream of value chunks, and its reassembly on the receiving side with
 * every chunk checked against the ones before it.
 */
import { CommProtocolError } from './errors.js';
import type { EncodedValue, ValueType } from './values.js';
import { HEADER_BYTES, type MessageHeader, type OpName, encodeMessage } from './wire.js';

/** Where a value stream belongs: its collective, and which value of it (`step`). */
export interface StreamAddress {
  readonly op: OpName;
  readonly seq: number;
  readonly root: number;
  readonly step: number;
}

/**
 * The messages carrying `value`, each at most `messageBytes` long (an empty value is one empty chunk).
 * @example for (const message of valueMessages(encoded, { op: 'send', seq: 0, root: 0, step: 0 }, 65536)) transport.send(1, message);
 */
export function valueMessages(value: EncodedValue, address: StreamAddress, messageBytes: number): Uint8Array[] {
  const chunkBytes = messageBytes - HEADER_BYTES;
  const total = value.bytes.byteLength;
  const messages: Uint8Array[] = [];
  let offset = 0;
  do {
    const length = Math.min(chunkBytes, total - offset);
    const header: MessageHeader = { ...address, kind: 'value', detail: value.type, chunk: messages.length, total, offset, length };
    messages.push(encodeMessage(header, value.bytes.subarray(offset, offset + length)));
    offset += length;
  } while (offset < total);
  return messages;
}

/**
 * Reassembles one value from its chunks, which must come in order, contiguous, agreeing on the
 * value's type and size. `add` throws `CommProtocolError` for a chunk that breaks that.
 * @example
 * const receiver = new ValueReceiver('broadcast #2 from rank 0');
 * receiver.add(header, payload);
 * const value = await receiver.value;
 */
export class ValueReceiver {
  readonly value: Promise<EncodedValue>;
  #resolve!: (value: EncodedValue) => void;
  #bytes: Uint8Array | undefined;
  #type: ValueType | undefined;
  #nextChunk = 0;
  #nextOffset = 0;
  #complete = false;

  constructor(private readonly label: string) {
    this.value = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  add(header: MessageHeader, payload: Uint8Array): void {
    if (this.#complete) throw this.#error(`chunk ${header.chunk} came after the value was complete`);
    if (header.chunk !== this.#nextChunk) throw this.#error(`chunk ${header.chunk} came where chunk ${this.#nextChunk} was due`);
    if (this.#bytes === undefined) {
      this.#bytes = new Uint8Array(header.total);
      this.#type = header.detail as ValueType;
    } else if (header.total !== this.#bytes.byteLength || header.detail !== this.#type) {
      throw this.#error(`chunk ${header.chunk} says ${header.total} bytes of type ${header.detail}; chunk 0 said ${this.#bytes.byteLength} of type ${this.#type}`);
    }
    if (header.offset !== this.#nextOffset) throw this.#error(`chunk ${header.chunk} starts at byte ${header.offset}, expected ${this.#nextOffset}`);
    if (header.length === 0 && header.total !== 0) throw this.#error(`chunk ${header.chunk} is empty`);
    this.#bytes.set(payload, header.offset);
    this.#nextChunk++;
    this.#nextOffset += header.length;
    if (this.#nextOffset === this.#bytes.byteLength) {
      this.#complete = true;
      this.#resolve({ type: this.#type ?? 1, bytes: this.#bytes });
    }
  }

  #error(problem: string): CommProtocolError {
    return new CommProtocolError(`${this.label}: ${problem}`);
  }
}
