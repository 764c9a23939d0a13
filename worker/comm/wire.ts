/**
 * The binary wire format of the collectives. Every message is a fixed 32-byte header, all
 * fields little-endian, followed by `length` payload bytes:
 *
 * | byte | type | field   | meaning |
 * |------|------|---------|---------|
 * | 0    | u8   | version | 1 |
 * | 1    | u8   | op      | the collective: 1 send, 2 broadcast, 3 gather, 4 allGather, 5 reduce, 6 allReduce, 7 reduceScatter, 8 barrier |
 * | 2    | u8   | kind    | 1 a chunk of an encoded value, 2 a chunk of a ring pass (raw float32) |
 * | 3    | u8   | detail  | value chunks: the value's type (1 float32, 2 tensor, 3 JSON); ring chunks: the reduce op (1 sum, 2 mean, 3 max, 4 min) |
 * | 4    | u32  | seq     | the collective's sequence number (for `send`: the pair's own counter) |
 * | 8    | u32  | step    | ring step, or which value of the collective (reduce: 1 for the results sent to the root) |
 * | 12   | u32  | chunk   | chunk index within the step, from 0 |
 * | 16   | u32  | total   | bytes of the whole value (ring: of the whole vector) |
 * | 20   | u32  | offset  | where the payload starts within it, in bytes |
 * | 24   | u32  | length  | payload bytes; the message is exactly 32 + length bytes |
 * | 28   | u32  | root    | the collective's root rank (0 where it has none) |
 *
 * Float32 payloads are little-endian IEEE 754, as in memory on every platform that runs WebRTC.
 */
import { CommProtocolError } from './errors.js';

export const WIRE_VERSION = 1;
export const HEADER_BYTES = 32;

/** The operations of a `Comm`, in wire order (code = index + 1). */
export const OPS = ['send', 'broadcast', 'gather', 'allGather', 'reduce', 'allReduce', 'reduceScatter', 'barrier'] as const;
export type OpName = (typeof OPS)[number];

/** How ranks combine values in `reduce`, `allReduce` and `reduceScatter`. */
import type { ReduceOp } from '../../shared/index.js';

export type { ReduceOp };
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max', 'min'];

export type MessageKind = 'value' | 'ring';
const KINDS: readonly MessageKind[] = ['value', 'ring'];

/** The decoded header of one message. */
export interface MessageHeader {
  readonly op: OpName;
  readonly kind: MessageKind;
  readonly detail: number;
  readonly seq: number;
  readonly step: number;
  readonly chunk: number;
  readonly total: number;
  readonly offset: number;
  readonly length: number;
  readonly root: number;
}

/** A message that passed `decodeMessage`. */
export interface Message {
  readonly header: MessageHeader;
  /** The payload bytes: a view into the received message. */
  readonly payload: Uint8Array;
}

/** What `decodeMessage` says about bytes that are not a valid message. */
export interface MalformedMessage {
  readonly error: CommProtocolError;
  /** The op and seq the message claims, when its header could be read that far. */
  readonly claimed?: { readonly op: OpName; readonly seq: number };
}

const MAX_U32 = 0xffff_ffff;

/**
 * One message: the header, then `payload` copied after it.
 * @example const bytes = encodeMessage({ op: 'allReduce', kind: 'ring', detail: 1, seq: 0, step: 0, chunk: 0, total: 8, offset: 0, length: 8, root: 0 }, chunk);
 */
export function encodeMessage(header: MessageHeader, payload: Uint8Array): Uint8Array {
  if (payload.byteLength !== header.length) throw new RangeError(`payload of ${payload.byteLength} bytes, header says ${header.length}`);
  for (const field of ['seq', 'step', 'chunk', 'total', 'offset', 'length', 'root'] as const) {
    const value = header[field];
    if (!Number.isInteger(value) || value < 0 || value > MAX_U32) throw new RangeError(`header ${field} ${value} is not a u32`);
  }
  const bytes = new Uint8Array(HEADER_BYTES + payload.byteLength);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, WIRE_VERSION);
  view.setUint8(1, OPS.indexOf(header.op) + 1);
  view.setUint8(2, KINDS.indexOf(header.kind) + 1);
  view.setUint8(3, header.detail);
  view.setUint32(4, header.seq, true);
  view.setUint32(8, header.step, true);
  view.setUint32(12, header.chunk, true);
  view.setUint32(16, header.total, true);
  view.setUint32(20, header.offset, true);
  view.setUint32(24, header.length, true);
  view.setUint32(28, header.root, true);
  bytes.set(payload, HEADER_BYTES);
  return bytes;
}

/**
 * Reads and checks one message; never throws. The payload is a view into `bytes`.
 * @example const decoded = decodeMessage(bytes); if ('error' in decoded) reject(decoded.error);
 */
export function decodeMessage(bytes: Uint8Array): Message | MalformedMessage {
  if (bytes.byteLength < HEADER_BYTES) return malformed(`message of ${bytes.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== WIRE_VERSION) return malformed(`wire version ${version}, expected ${WIRE_VERSION}`);
  const op = OPS[view.getUint8(1) - 1];
  if (op === undefined) return malformed(`unknown op code ${view.getUint8(1)}`);
  const seq = view.getUint32(4, true);
  const claimed = { op, seq };
  const kind = KINDS[view.getUint8(2) - 1];
  if (kind === undefined) return malformed(`${op} #${seq}: unknown message kind ${view.getUint8(2)}`, claimed);
  const header: MessageHeader = {
    op,
    kind,
    detail: view.getUint8(3),
    seq,
    step: view.getUint32(8, true),
    chunk: view.getUint32(12, true),
    total: view.getUint32(16, true),
    offset: view.getUint32(20, true),
    length: view.getUint32(24, true),
    root: view.getUint32(28, true),
  };
  const problem = headerProblem(header, bytes.byteLength - HEADER_BYTES);
  if (problem !== undefined) return malformed(`${op} #${seq}: ${problem}`, claimed);
  return { header, payload: bytes.subarray(HEADER_BYTES) };
}

function headerProblem(header: MessageHeader, payloadBytes: number): string | undefined {
  if (header.length !== payloadBytes) return `header says ${header.length} payload bytes, message carries ${payloadBytes}`;
  if (header.offset + header.length > header.total) return `chunk [${header.offset}, ${header.offset + header.length}) overruns the ${header.total}-byte value`;
  if (header.kind === 'value' && (header.detail < 1 || header.detail > 3)) return `unknown value type ${header.detail}`;
  if (header.kind === 'ring') {
    if (header.detail < 1 || header.detail > REDUCE_OPS.length) return `unknown reduce op ${header.detail}`;
    if (header.offset % 4 !== 0 || header.length % 4 !== 0 || header.total % 4 !== 0) return 'ring chunk not aligned to float32';
  }
  return undefined;
}

function malformed(message: string, claimed?: { op: OpName; seq: number }): MalformedMessage {
  const error = new CommProtocolError(`malformed message: ${message}`);
  return claimed === undefined ? { error } : { error, claimed };
}

/** The wire code of a reduce op (1..4). @example reduceOpCode('max') // 3 */
export function reduceOpCode(op: ReduceOp): number {
  return REDUCE_OPS.indexOf(op) + 1;
}
