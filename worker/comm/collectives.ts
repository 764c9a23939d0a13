/**
 * What each operation sends and expects. Values (broadcast, gather, allGather, barrier, and the
 * results of reduce) go straight between the ranks concerned; reductions run the ring.
 */
import { type Shape, Tensor } from '../../shared/tensor/index.js';
import { CommProtocolError, CommUsageError } from './errors.js';
import type { Exchange } from './exchange.js';
import type { CollectivePlan, GangContext } from './plan.js';
import { runRing, segmentBounds } from './ring.js';
import { type CommValue, type NumericValue, VALUE_TYPES, bytesOf, decodeValue, encodeValue, floatsOf, readFloats, tensorMaker } from './values.js';
import { REDUCE_OPS, type ReduceOp } from './wire.js';

/** `send`: the value's chunks to `to`. */
export async function send(_gang: GangContext, exchange: Exchange, to: number, value: CommValue): Promise<void> {
  exchange.sendValue(to, await encodeValue(value, 'send'));
}

/** `recv`: the next value from `from`, decoded. */
export async function recv<T extends CommValue>(gang: GangContext, exchange: Exchange, from: number): Promise<T> {
  const encoded = await exchange.receiveValue(from);
  return decodeValue(encoded, tensorMaker(undefined, gang.tensors), 'recv') as T;
}

/** `broadcast`: the root sends its value to every other rank; every rank returns its own decoded copy. */
export function broadcastPlan<T extends CommValue>(gang: GangContext, value: T | undefined, root: number): CollectivePlan<T> {
  const isRoot = gang.rank === root;
  return {
    op: 'broadcast',
    root,
    senders: isRoot ? [] : [root],
    acceptsValue: (from, step) => !isRoot && from === root && step === 0,
    body: async (exchange) => {
      const make = tensorMaker(value, gang.tensors);
      if (!isRoot) return decodeValue(await exchange.receiveValue(root), make, 'broadcast') as T;
      if (value === undefined) throw new CommUsageError(`broadcast: rank ${root} is the root and passed no value`);
      const encoded = await encodeValue(value, 'broadcast');
      for (const peer of gang.others) exchange.sendValue(peer, encoded);
      return decodeValue(encoded, make, 'broadcast') as T;
    },
  };
}

/** `gather`: every rank but the root sends its value to the root. */
export function gatherPlan<T extends CommValue>(gang: GangContext, value: T, root: number): CollectivePlan<T[] | undefined> {
  const isRoot = gang.rank === root;
  return {
    op: 'gather',
    root,
    senders: isRoot ? gang.others : [],
    acceptsValue: (from, step) => isRoot && from !== root && step === 0,
    body: async (exchange) => {
      const encoded = await encodeValue(value, 'gather');
      if (!isRoot) {
        exchange.sendValue(root, encoded);
        return undefined;
      }
      return collectValues<T>(gang, exchange, value, encoded, 'gather');
    },
  };
}

/** `allGather` (and `barrier`, with an empty value): every rank sends its value to every other. */
export function allGatherPlan<T extends CommValue>(gang: GangContext, value: T, op: 'allGather' | 'barrier'): CollectivePlan<T[]> {
  return {
    op,
    root: 0,
    senders: gang.others,
    acceptsValue: (from, step) => from !== gang.rank && step === 0,
    body: async (exchange) => {
      const encoded = await encodeValue(value, op);
      for (const peer of gang.others) exchange.sendValue(peer, encoded);
      return collectValues<T>(gang, exchange, value, encoded, op);
    },
  };
}

/** `allReduce`: the whole ring, reduce-scatter then all-gather. */
export function allReducePlan<T extends NumericValue>(gang: GangContext, value: T, op: ReduceOp): CollectivePlan<T> {
  return {
    ...ringPlan(gang, 'allReduce', 0),
    body: async (exchange) => {
      const buffer = await readFloats(value, 'allReduce');
      await runRing({ exchange, rank: gang.rank, size: gang.size, buffer, op, allGather: true, messageBytes: gang.messageBytes });
      return numericResult(gang, value, buffer, value instanceof Tensor ? value.shape : [buffer.length]);
    },
  };
}

/** `reduceScatter`: the reduce-scatter half of the ring; this rank keeps segment `rank`. */
export function reduceScatterPlan<T extends NumericValue>(gang: GangContext, value: T, op: ReduceOp): CollectivePlan<T> {
  return {
    ...ringPlan(gang, 'reduceScatter', 0),
    body: async (exchange) => {
      const buffer = await readFloats(value, 'reduceScatter');
      await runRing({ exchange, rank: gang.rank, size: gang.size, buffer, op, allGather: false, messageBytes: gang.messageBytes });
      const [start, end] = segmentBounds(buffer.length, gang.size, gang.rank);
      return numericResult(gang, value, buffer.slice(start, end), scatterShape(value, gang.size, end - start));
    },
  };
}

/** Reduce: the reduce-scatter half of the ring, then every rank's reduced segment to the root (as value 1). */
export function reducePlan<T extends NumericValue>(gang: GangContext, value: T, op: ReduceOp, root: number): CollectivePlan<T | undefined> {
  const isRoot = gang.rank === root;
  return {
    ...ringPlan(gang, 'reduce', root),
    senders: [...new Set([(gang.rank - 1 + gang.size) % gang.size, ...(isRoot ? gang.others : [])])].filter((rank) => rank !== gang.rank),
    acceptsValue: (from, step) => isRoot && from !== root && step === 1,
    body: async (exchange) => {
      const buffer = await readFloats(value, 'reduce');
      await runRing({ exchange, rank: gang.rank, size: gang.size, buffer, op, allGather: false, messageBytes: gang.messageBytes });
      const [start, end] = segmentBounds(buffer.length, gang.size, gang.rank);
      if (!isRoot) {
        exchange.sendValue(root, { type: VALUE_TYPES.f32, bytes: bytesOf(buffer.subarray(start, end)) }, 1);
        return undefined;
      }
      const parts = await Promise.all(gang.others.map(async (peer) => [peer, await exchange.receiveValue(peer, 1)] as const));
      for (const [peer, part] of parts) {
        const [peerStart, peerEnd] = segmentBounds(buffer.length, gang.size, peer);
        if (part.type !== VALUE_TYPES.f32 || part.bytes.byteLength !== (peerEnd - peerStart) * 4) {
          throw new CommProtocolError(`reduce: rank ${peer} sent ${part.bytes.byteLength} bytes for its ${peerEnd - peerStart}-value segment`);
        }
        buffer.set(floatsOf(part.bytes, 0, 'reduce'), peerStart);
      }
      return numericResult(gang, value, buffer, value instanceof Tensor ? value.shape : [buffer.length]);
    },
  };
}

/** @example checkReduceOp('allReduce', 'mean') // 'mean' */
export function checkReduceOp(name: string, op: ReduceOp): ReduceOp {
  if (!REDUCE_OPS.includes(op)) throw new CommUsageError(`${name}: op ${String(op)} is not one of ${REDUCE_OPS.join(', ')}`);
  return op;
}

function ringPlan(gang: GangContext, op: 'allReduce' | 'reduceScatter' | 'reduce', root: number): Omit<CollectivePlan<never>, 'body'> {
  const left = (gang.rank - 1 + gang.size) % gang.size;
  return { op, root, senders: gang.size > 1 ? [left] : [], acceptsValue: () => false, ringFrom: left };
}

async function collectValues<T extends CommValue>(gang: GangContext, exchange: Exchange, own: T, encoded: Awaited<ReturnType<typeof encodeValue>>, op: string): Promise<T[]> {
  const make = tensorMaker(own, gang.tensors);
  const received = await Promise.all(gang.others.map((peer) => exchange.receiveValue(peer)));
  const values: T[] = [];
  for (let rank = 0, next = 0; rank < gang.size; rank++) {
    const bytes = rank === gang.rank ? encoded : received[next++];
    if (bytes === undefined) throw new CommProtocolError(`${op}: no value from rank ${rank}`);
    values.push(decodeValue(bytes, make, op) as T);
  }
  return values;
}

function numericResult<T extends NumericValue>(gang: GangContext, input: T, values: Float32Array, shape: Shape): T {
  if (input instanceof Tensor) return tensorMaker(input, gang.tensors)(values, shape) as T;
  return values as T;
}

function scatterShape(input: NumericValue, size: number, length: number): Shape {
  if (!(input instanceof Tensor)) return [length];
  const [rows, ...rest] = input.shape;
  return rows !== undefined && rows % size === 0 ? [rows / size, ...rest] : [length];
}
