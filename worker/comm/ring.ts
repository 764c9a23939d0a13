/**
 * The ring: reduce-scatter, then (for allReduce) all-gather, over `size - 1` steps each. The
 * vector is cut into `size` segments (lengths differ by at most one), each segment into chunks
 * that fit one message. At step s this rank sends segment (rank - s - 1) to its right neighbour
 * and receives segment (rank - s - 2) from its left; after the reduce-scatter steps it holds
 * segment `rank` fully reduced. Pipelined per chunk: the moment chunk c of step s arrives and is
 * combined, chunk c of step s + 1 goes out, so every link stays busy and no step waits for a
 * whole segment. Each chunk must arrive in order, where the layout says it is.
 */
import { CommProtocolError } from './errors.js';
import type { Exchange } from './exchange.js';
import { bytesOf, floatView } from './values.js';
import { HEADER_BYTES, type Message, type ReduceOp, encodeMessage, reduceOpCode } from './wire.js';

/** One ring pass over `buffer`, combined in place. */
export interface RingPass {
  readonly exchange: Exchange;
  readonly rank: number;
  readonly size: number;
  readonly buffer: Float32Array;
  readonly op: ReduceOp;
  /** After the reduce-scatter, also pass the reduced segments round (allReduce). */
  readonly allGather: boolean;
  readonly messageBytes: number;
}

/**
 * The floats of segment `index` of `length` values cut into `size` segments.
 * @example segmentBounds(10, 3, 1) // [3, 6]
 */
export function segmentBounds(length: number, size: number, index: number): [number, number] {
  return [Math.floor((index * length) / size), Math.floor(((index + 1) * length) / size)];
}

/**
 * Runs the pass; resolves when every chunk due to this rank has arrived and been combined (the
 * sends may still be queued: flush the exchange).
 * @example await runRing({ exchange, rank, size, buffer, op: 'sum', allGather: true, messageBytes: 65536 });
 */
export function runRing(pass: RingPass): Promise<void> {
  const { exchange, rank, size, buffer, op, allGather } = pass;
  const steps = allGather ? 2 * (size - 1) : size - 1;
  const reduceSteps = size - 1;
  const chunkFloats = Math.floor((pass.messageBytes - HEADER_BYTES) / 4);
  const opCode = reduceOpCode(op);
  const right = (rank + 1) % size;
  const mod = (value: number): number => ((value % size) + size) % size;
  const sendSegment = (step: number): number => mod(rank - step - 1);
  const receiveSegment = (step: number): number => mod(rank - step - 2);
  const chunkCount = (segment: number): number => {
    const [start, end] = segmentBounds(buffer.length, size, segment);
    return Math.ceil((end - start) / chunkFloats);
  };
  const chunkBounds = (segment: number, chunk: number): [number, number] => {
    const [start, end] = segmentBounds(buffer.length, size, segment);
    return [start + chunk * chunkFloats, Math.min(end, start + (chunk + 1) * chunkFloats)];
  };

  const sendChunk = (step: number, chunk: number): void => {
    const [start, end] = chunkBounds(sendSegment(step), chunk);
    const payload = bytesOf(buffer.subarray(start, end));
    const header = {
      op: exchange.spec.op,
      kind: 'ring' as const,
      detail: opCode,
      seq: exchange.spec.seq,
      step,
      chunk,
      total: buffer.byteLength,
      offset: start * 4,
      length: payload.byteLength,
      root: exchange.spec.root,
    };
    exchange.send(right, encodeMessage(header, payload));
  };

  let expected = 0;
  for (let step = 0; step < steps; step++) expected += chunkCount(receiveSegment(step));
  const nextChunk = new Array<number>(steps).fill(0);
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });

  const receive = ({ header, payload }: Message): void => {
    const problem = (text: string): CommProtocolError => new CommProtocolError(`${exchange.label}: ${text}`);
    if (header.total !== buffer.byteLength) throw problem(`the left neighbour has ${header.total / 4} values, this rank ${buffer.length}`);
    if (header.detail !== opCode) throw problem(`the left neighbour reduces by op ${header.detail}, this rank by ${opCode} (${op})`);
    const { step, chunk } = header;
    const due = nextChunk[step];
    if (due === undefined) throw problem(`ring step ${step} is past the last step ${steps - 1}`);
    if (chunk !== due || chunk >= chunkCount(receiveSegment(step))) throw problem(`step ${step} chunk ${chunk} came where chunk ${due} was due`);
    const [start, end] = chunkBounds(receiveSegment(step), chunk);
    if (header.offset !== start * 4 || header.length !== (end - start) * 4) {
      throw problem(`step ${step} chunk ${chunk} covers bytes [${header.offset}, ${header.offset + header.length}), expected [${start * 4}, ${end * 4})`);
    }
    const target = buffer.subarray(start, end);
    const source = floatView(payload);
    if (step < reduceSteps) {
      combine(target, source, op);
      if (op === 'mean' && step === reduceSteps - 1) for (let i = 0; i < target.length; i++) target[i] = target[i]! / size;
    } else {
      target.set(source);
    }
    nextChunk[step] = due + 1;
    received++;
    if (step + 1 < steps) sendChunk(step + 1, chunk);
    if (received === expected) done();
  };

  if (steps > 0) for (let chunk = 0; chunk < chunkCount(sendSegment(0)); chunk++) sendChunk(0, chunk);
  if (received === expected) done();
  exchange.onRing(receive);
  return exchange.settle(finished);
}

function combine(target: Float32Array, source: Float32Array, op: ReduceOp): void {
  const n = target.length;
  switch (op) {
    case 'sum':
    case 'mean':
      for (let i = 0; i < n; i++) target[i] = target[i]! + source[i]!;
      return;
    case 'max':
      for (let i = 0; i < n; i++) target[i] = Math.max(target[i]!, source[i]!);
      return;
    case 'min':
      for (let i = 0; i < n; i++) target[i] = Math.min(target[i]!, source[i]!);
      return;
  }
}
