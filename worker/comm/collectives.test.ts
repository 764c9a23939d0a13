import { afterEach, describe, expect, it } from 'vitest';
import { Tensor, TensorCore, createCpuBackend } from '../../shared/tensor/index.js';
import type { Comm, CommOptions } from './comm.js';
import { createComm } from './gang-comm.js';
import { type InProcessNetwork, createInProcessNetwork } from './in-process.js';
import { segmentBounds } from './ring.js';
import { expectedReduction, firstMismatch, rankValues } from './test-pattern.js';
import type { ReduceOp } from './wire.js';

// Every collective on in-process gangs of 2, 3 and 4 ranks, with links that carry at most 1 KiB
// (so values of 7, 1000 and 65537 floats are chunked, and segments and chunks do not divide).

const SIZES = [2, 3, 4];
const LENGTHS = [1, 7, 1000, 65537];
const OPS: ReduceOp[] = ['sum', 'mean', 'max', 'min'];
const LINK_LIMIT = 1024;

let open: Comm[] = [];
afterEach(() => {
  for (const comm of open) comm.close();
  open = [];
});

function gang(size: number, options: CommOptions = {}, maxMessageBytes = LINK_LIMIT): { comms: Comm[]; network: InProcessNetwork } {
  const network = createInProcessNetwork(size, { maxMessageBytes });
  const comms = network.transports.map((transport) => createComm(transport, options));
  open.push(...comms);
  return { comms, network };
}

function onEvery<T>(comms: Comm[], run: (comm: Comm) => Promise<T>): Promise<T[]> {
  return Promise.all(comms.map(run));
}

function expectSame(actual: Float32Array | undefined, expected: Float32Array, label: string): void {
  expect(actual, label).toBeInstanceOf(Float32Array);
  const at = firstMismatch(actual!, expected);
  expect(at, `${label}: first mismatch at ${at} (${actual?.[at]} vs ${expected[at]})`).toBe(-1);
}

describe.each(SIZES)('a gang of %i', (size) => {
  it.each(LENGTHS)('allReduces %i floats exactly with every op, in messages under the link limit', async (length) => {
    const { comms, network } = gang(size);
    for (const op of OPS) {
      const results = await onEvery(comms, (comm) => comm.allReduce(rankValues(comm.rank, length), op));
      for (const [rank, result] of results.entries()) expectSame(result, expectedReduction(op, size, length), `${op} on rank ${rank}`);
    }
    expect(network.stats.largestMessage).toBeLessThanOrEqual(LINK_LIMIT);
  });

  it.each(LENGTHS)('reduceScatters %i floats: rank r gets segment r', async (length) => {
    const { comms } = gang(size);
    for (const op of OPS) {
      const results = await onEvery(comms, (comm) => comm.reduceScatter(rankValues(comm.rank, length), op));
      const expected = expectedReduction(op, size, length);
      for (const [rank, result] of results.entries()) expectSame(result, expected.slice(...segmentBounds(length, size, rank)), `${op} on rank ${rank}`);
    }
  });

  it.each(LENGTHS)('reduces %i floats to the root, undefined elsewhere', async (length) => {
    const { comms } = gang(size);
    for (const root of [0, size - 1]) {
      const results = await onEvery(comms, (comm) => comm.reduce(rankValues(comm.rank, length), 'sum', root));
      for (const [rank, result] of results.entries()) {
        if (rank === root) expectSame(result, expectedReduction('sum', size, length), `root ${root}`);
        else expect(result).toBeUndefined();
      }
    }
  });

  it('broadcasts floats, JSON and tensors from any root', async () => {
    const { comms } = gang(size);
    for (const root of [0, size - 1]) {
      const floats = await onEvery(comms, (comm) => comm.broadcast(comm.rank === root ? rankValues(root, 65537) : undefined, root));
      for (const result of floats) expectSame(result, rankValues(root, 65537), `floats from ${root}`);
      const json = await onEvery(comms, (comm) => comm.broadcast(comm.rank === root ? { root, list: [1, 'two', null] } : undefined, root));
      expect(json).toEqual(comms.map(() => ({ root, list: [1, 'two', null] })));
    }
  });

  it('gathers and allGathers values of different kinds and lengths', async () => {
    const { comms } = gang(size);
    const own = (rank: number): Float32Array => rankValues(rank, 300 * rank + 1);
    const gathered = await onEvery(comms, (comm) => comm.gather(own(comm.rank), 1));
    for (const [rank, result] of gathered.entries()) {
      if (rank !== 1) expect(result).toBeUndefined();
      else comms.forEach((_, from) => expectSame(result?.[from], own(from), `gathered from ${from}`));
    }
    const everyone = await onEvery(comms, (comm) => comm.allGather({ rank: comm.rank, name: `r${comm.rank}` }));
    const expected = comms.map((comm) => ({ rank: comm.rank, name: `r${comm.rank}` }));
    for (const result of everyone) expect(result).toEqual(expected);
    const floats = await onEvery(comms, (comm) => comm.allGather(own(comm.rank)));
    for (const result of floats) comms.forEach((_, from) => expectSame(result[from], own(from), `allGathered from ${from}`));
  });

  it('sends and receives in order, point to point, while collectives run', async () => {
    const { comms } = gang(size);
    const last = size - 1;
    const [received] = await Promise.all([
      (async () => [await comms[last]!.recv(0), await comms[last]!.recv(0), await comms[last]!.recv<Float32Array>(0)])(),
      (async () => {
        await comms[0]!.send(last, 'first');
        await comms[0]!.send(last, { second: true });
        await comms[0]!.send(last, rankValues(0, 20_000));
      })(),
      onEvery(comms, (comm) => comm.allReduce(rankValues(comm.rank, 1000))),
    ]);
    expect(received.slice(0, 2)).toEqual(['first', { second: true }]);
    expectSame(received[2] as Float32Array, rankValues(0, 20_000), 'the third message');
  });

  it('passes a barrier only once every rank reached it', async () => {
    const { comms, network } = gang(size);
    const passed: number[] = [];
    let lateArrived = false;
    // The last rank arrives once the others have heard each other's barrier messages and had a
    // turn to act on them: a barrier that did not wait for it would have let them through by then.
    const others = size - 1;
    let heard = 0;
    let othersHeardEachOther!: () => void;
    const othersReady = new Promise<void>((resolve) => (othersHeardEachOther = resolve));
    if (others === 1) othersHeardEachOther();
    for (const transport of network.transports.slice(0, others)) {
      transport.onMessage((from) => {
        if (from < others && ++heard === others * (others - 1)) othersHeardEachOther();
      });
    }
    await onEvery(comms, async (comm) => {
      if (comm.rank === size - 1) {
        await othersReady;
        await new Promise((resolve) => setImmediate(resolve));
        lateArrived = true;
      }
      await comm.barrier();
      expect(lateArrived, `rank ${comm.rank} passed before the last rank arrived`).toBe(true);
      passed.push(comm.rank);
    });
    expect(passed.sort()).toEqual(comms.map((comm) => comm.rank));
  });

  it('runs collectives called back to back without waiting, in call order', async () => {
    const { comms } = gang(size);
    const results = await onEvery(comms, (comm) =>
      Promise.all([comm.allReduce(rankValues(comm.rank, 999), 'max'), comm.broadcast(comm.rank === 0 ? 'go' : undefined, 0), comm.allGather(comm.rank), comm.barrier()]),
    );
    for (const [maxima, word, ranks] of results) {
      expectSame(maxima, expectedReduction('max', size, 999), 'max');
      expect(word).toBe('go');
      expect(ranks).toEqual(comms.map((comm) => comm.rank));
    }
  });
});

describe('tensors', () => {
  const core = new TensorCore(createCpuBackend());

  it('come back as tensors of the same shape on the same backend', async () => {
    const { comms } = gang(4, { tensors: core });
    const inputs = comms.map((comm) => core.tensor(rankValues(comm.rank, 15), [3, 5]));
    const sums = await onEvery(comms, (comm) => comm.allReduce(inputs[comm.rank]!, 'sum'));
    for (const sum of sums) {
      expect(sum).toBeInstanceOf(Tensor);
      expect(sum.shape).toEqual([3, 5]);
      expect(sum.storage.backend).toBe(inputs[0]!.storage.backend);
      expectSame(await sum.data(), expectedReduction('sum', 4, 15), 'tensor sum');
    }
    const rows = await onEvery(comms, (comm) => comm.reduceScatter(core.tensor(rankValues(comm.rank, 24), [8, 3]), 'min'));
    expect(rows.map((tensor) => tensor.shape)).toEqual([[2, 3], [2, 3], [2, 3], [2, 3]]);
    const uneven = await onEvery(comms, (comm) => comm.reduceScatter(core.tensor(rankValues(comm.rank, 21), [7, 3])));
    expect(uneven.map((tensor) => tensor.shape)).toEqual([[5], [5], [5], [6]]);
  });

  it('cross point to point, broadcast and allGather as tensors', async () => {
    const { comms } = gang(3, { tensors: core });
    const sent = core.tensor(rankValues(2, 12), [2, 2, 3]);
    const [, received] = await Promise.all([comms[2]!.send(0, sent), comms[0]!.recv(2)]);
    expect(received).toBeInstanceOf(Tensor);
    expect((received as Tensor).shape).toEqual([2, 2, 3]);
    expectSame(await (received as Tensor).data(), rankValues(2, 12), 'received tensor');
    const broadcast = await onEvery(comms, (comm) => comm.broadcast(comm.rank === 1 ? core.tensor([1, 2, 3, 4], [2, 2]) : undefined, 1));
    for (const tensor of broadcast) {
      expect(tensor).toBeInstanceOf(Tensor);
      expect(tensor.shape).toEqual([2, 2]);
      expect(Array.from(await tensor.data())).toEqual([1, 2, 3, 4]);
    }
    const gathered = await onEvery(comms, (comm) => comm.allGather(core.tensor([comm.rank], [1])));
    expect(await Promise.all(gathered[0]!.map(async (tensor) => Array.from(await tensor.data())))).toEqual([[0], [1], [2]]);
  });
});

describe('a gang of one', () => {
  it('answers every collective with its own value', async () => {
    const { comms } = gang(1);
    const comm = comms[0]!;
    expectSame(await comm.allReduce(rankValues(0, 10), 'mean'), rankValues(0, 10), 'allReduce');
    expectSame(await comm.reduceScatter(rankValues(0, 10)), rankValues(0, 10), 'reduceScatter');
    expectSame(await comm.reduce(rankValues(0, 10), 'max', 0), rankValues(0, 10), 'reduce');
    expect(await comm.broadcast({ a: 1 }, 0)).toEqual({ a: 1 });
    expect(await comm.allGather('x')).toEqual(['x']);
    expect(await comm.gather(7, 0)).toEqual([7]);
    await comm.barrier();
  });
});

describe('backpressure', () => {
  it('keeps every link under the high-water mark plus one message', async () => {
    const network = createInProcessNetwork(3, { maxMessageBytes: LINK_LIMIT, lowWaterBytes: 2048 });
    const comms = network.transports.map((transport) => createComm(transport, { highWaterBytes: 8192 }));
    open.push(...comms);
    const results = await onEvery(comms, (comm) => comm.allReduce(rankValues(comm.rank, 65537)));
    for (const result of results) expectSame(result, expectedReduction('sum', 3, 65537), 'sum');
    expect(network.stats.maxBufferedAmount).toBeGreaterThan(2048);
    expect(network.stats.maxBufferedAmount).toBeLessThanOrEqual(8192 + LINK_LIMIT);
  });
});
