import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DEFAULT_SPEC_LIMITS } from '../limits.js';
import { JobInput } from '../spec.js';
import { InvalidSpecError, partition, type PartitionContext, type TaskShare } from './index.js';
import { chunkLengths } from './partitioner.js';

const SHA = 'd'.repeat(64);
const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A context holding one blob, `SHA`, with these bytes. */
function blobContext(bytes: Uint8Array | undefined): PartitionContext {
  return { blob: (sha) => Promise.resolve(sha === SHA ? bytes : undefined), limits: DEFAULT_SPEC_LIMITS };
}

const split = (input: z.input<typeof JobInput>, context: PartitionContext = blobContext(undefined)): Promise<TaskShare[]> =>
  partition(JobInput.parse(input), context);

/** The indices `start, start+step, ... < end`. */
function indices({ start, end, step }: { start: number; end: number; step: number }): number[] {
  const out: number[] = [];
  for (let index = start; index < end; index += step) out.push(index);
  return out;
}

describe('chunkLengths', () => {
  it('cuts chunkSize at a time, the last chunk short', () => {
    expect(chunkLengths(10, 3, undefined)).toEqual([3, 3, 3, 1]);
    expect(chunkLengths(9, 3, undefined)).toEqual([3, 3, 3]);
    expect(chunkLengths(2, 5, undefined)).toEqual([2]);
    expect(chunkLengths(3, undefined, undefined)).toEqual([1, 1, 1]);
  });

  it('cuts into `chunks` near-equal parts, larger ones first, never an empty one', () => {
    expect(chunkLengths(10, undefined, 3)).toEqual([4, 3, 3]);
    expect(chunkLengths(11, undefined, 4)).toEqual([3, 3, 3, 2]);
    expect(chunkLengths(12, undefined, 4)).toEqual([3, 3, 3, 3]);
    expect(chunkLengths(3, undefined, 5)).toEqual([1, 1, 1]);
    for (const [count, chunks] of [[1000, 7], [17, 16], [5, 1]] as const) {
      const lengths = chunkLengths(count, undefined, chunks);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(count);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
    }
  });
});

describe('items partitioner', () => {
  const items = Array.from({ length: 10 }, (_, i) => `item${i}`);

  it('splits by chunkSize: consecutive chunks, the last one short', async () => {
    const shares = await split({ items, chunkSize: 4 });
    expect(shares.map(({ input, firstItem, itemCount }) => ({ input, firstItem, itemCount }))).toEqual([
      { input: items.slice(0, 4), firstItem: 0, itemCount: 4 },
      { input: items.slice(4, 8), firstItem: 4, itemCount: 4 },
      { input: items.slice(8), firstItem: 8, itemCount: 2 },
    ]);
  });

  it('splits into `chunks` near-equal tasks', async () => {
    const shares = await split({ items, chunks: 4 });
    expect(shares.map((share) => [share.firstItem, share.itemCount])).toEqual([
      [0, 3],
      [3, 3],
      [6, 2],
      [8, 2],
    ]);
    expect(shares.flatMap((share) => share.input as unknown[])).toEqual(items);
  });

  it('makes one task per item by default', async () => {
    expect((await split({ items: ['a', 'b'] })).map((share) => share.input)).toEqual([['a'], ['b']]);
  });
});

describe('range partitioner', () => {
  it('splits by chunkSize into sub-ranges that cover exactly the indices, the last one short', async () => {
    const range = { start: -7, end: 30, step: 3 };
    const shares = await split({ range, chunkSize: 4 });
    expect(shares).toEqual([
      { input: { start: -7, end: 5, step: 3 }, firstItem: 0, itemCount: 1 },
      { input: { start: 5, end: 17, step: 3 }, firstItem: 1, itemCount: 1 },
      { input: { start: 17, end: 29, step: 3 }, firstItem: 2, itemCount: 1 },
      { input: { start: 29, end: 30, step: 3 }, firstItem: 3, itemCount: 1 },
    ]);
    const covered = shares.flatMap((share) => indices(share.input as typeof range));
    expect(covered).toEqual(indices(range));
    expect(covered).toHaveLength(13);
  });

  it('splits into `chunks` sub-ranges of near-equal index counts', async () => {
    const range = { start: 0, end: 1_000_001, step: 1 };
    const shares = await split({ range, chunks: 3 });
    const counts = shares.map((share) => indices(share.input as typeof range).length);
    expect(counts).toEqual([333_334, 333_334, 333_333]);
    expect(shares.map((share) => share.input)).toEqual([
      { start: 0, end: 333_334, step: 1 },
      { start: 333_334, end: 666_668, step: 1 },
      { start: 666_668, end: 1_000_001, step: 1 },
    ]);
  });

  it('never makes an empty sub-range, and ends the last one at `end`', async () => {
    const range = { start: 10, end: 20, step: 4 }; // 10, 14, 18
    for (const shape of [{ chunks: 5 }, { chunkSize: 2 }, { chunkSize: 100 }]) {
      const shares = await split({ range, ...shape });
      const subRanges = shares.map((share) => share.input as typeof range);
      expect(subRanges.every((sub) => indices(sub).length > 0)).toBe(true);
      expect(subRanges.flatMap(indices)).toEqual([10, 14, 18]);
      expect(subRanges[subRanges.length - 1]?.end).toBe(20);
      expect(shares.map((share) => share.firstItem)).toEqual(shares.map((_, index) => index));
    }
  });
});

describe('blob partitioner', () => {
  const shard = (bytes: Uint8Array, share: TaskShare): string => {
    const { offset, length } = share.input as { offset: number; length: number };
    return decode(bytes.subarray(offset, offset + length));
  };

  it('splits by shardBytes, the last shard short', async () => {
    const bytes = encode('0123456789');
    const shares = await split({ blob: SHA, shardBytes: 4 }, blobContext(bytes));
    expect(shares).toEqual([
      { input: { offset: 0, length: 4, records: false }, firstItem: 0, itemCount: 1 },
      { input: { offset: 4, length: 4, records: false }, firstItem: 1, itemCount: 1 },
      { input: { offset: 8, length: 2, records: false }, firstItem: 2, itemCount: 1 },
    ]);
  });

  it('splits by shardRecords on a multi-byte separator, with no trailing separator', async () => {
    const text = 'alpha<§>be<ta<§>gamma<§><§>delta<§>eps';
    const bytes = encode(text);
    const shares = await split({ blob: SHA, shardRecords: 2, separator: '<§>' }, blobContext(bytes));
    expect(shares.map((share) => shard(bytes, share))).toEqual(['alpha<§>be<ta<§>', 'gamma<§><§>', 'delta<§>eps']);
    expect(shares.every((share) => (share.input as { records: boolean }).records)).toBe(true);
    // Shards are back to back and cover every byte.
    expect(shares.map((share) => shard(bytes, share)).join('')).toBe(text);
    expect(shares.map((share) => share.firstItem)).toEqual([0, 1, 2]);
  });

  it('ends the last shard at the last separator when the blob ends with one', async () => {
    const bytes = encode('a\nb\nc\nd\n');
    const shares = await split({ blob: SHA, shardRecords: 2 }, blobContext(bytes));
    expect(shares.map((share) => shard(bytes, share))).toEqual(['a\nb\n', 'c\nd\n']);
  });

  it('makes one shard of a blob with fewer records than a shard, and of an empty blob', async () => {
    const bytes = encode('only one record');
    expect((await split({ blob: SHA, shardRecords: 5 }, blobContext(bytes))).map((share) => shard(bytes, share))).toEqual([
      'only one record',
    ]);
    for (const shape of [{ shardRecords: 5 }, { shardBytes: 5 }]) {
      const shares = await split({ blob: SHA, ...shape }, blobContext(new Uint8Array(0)));
      expect(shares.map((share) => share.input)).toEqual([{ offset: 0, length: 0, records: 'shardRecords' in shape }]);
    }
  });

  it('refuses a blob that is not stored, naming the field', async () => {
    const error = await split({ blob: SHA, shardBytes: 4 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidSpecError);
    expect(error).toMatchObject({ path: 'input.blob', message: expect.stringContaining(SHA) as string });
  });
});

describe('partition limits', () => {
  const limited = (bytes: Uint8Array | undefined, maxTasks: number, maxItems = 100): PartitionContext => ({
    ...blobContext(bytes),
    limits: { maxTasks, maxItems },
  });
  const refusal = (input: z.input<typeof JobInput>, context: PartitionContext) => split(input, context).catch((caught: unknown) => caught);

  it('refuses input that makes more tasks than maxTasks, counted before any task is made', async () => {
    expect(await split({ range: { start: 0, end: 10 }, chunkSize: 2 }, limited(undefined, 5))).toHaveLength(5);
    expect(await refusal({ range: { start: 0, end: 11 }, chunkSize: 2 }, limited(undefined, 5))).toMatchObject({
      name: 'SpecLimitError',
      limit: 'maxTasks',
      path: 'input',
      reason: 'makes 6 tasks, over the limit of 5 (maxTasks): use a larger chunkSize, or chunks',
    });
    expect(await refusal({ range: { start: 0, end: Number.MAX_SAFE_INTEGER } }, limited(undefined, 100_000))).toMatchObject({ limit: 'maxTasks' });
    expect(await refusal({ items: [1, 2, 3] }, limited(undefined, 2))).toMatchObject({ limit: 'maxTasks' });
    expect(await split({ items: [1, 2, 3], chunks: 2 }, limited(undefined, 2))).toHaveLength(2);
  });

  it('refuses more items than maxItems', async () => {
    expect(await refusal({ items: [1, 2, 3], chunks: 1 }, limited(undefined, 10, 2))).toMatchObject({
      limit: 'maxItems',
      path: 'input.items',
      reason: '3 items, over the limit of 2 (maxItems)',
    });
  });

  it('refuses blob shards over maxTasks, by bytes from the size and by records as it counts them', async () => {
    const bytes = encode('a\nb\nc\nd\ne\n');
    expect(await refusal({ blob: SHA, shardBytes: 2 }, limited(bytes, 4))).toMatchObject({ limit: 'maxTasks', path: 'input.shardBytes' });
    expect(await refusal({ blob: SHA, shardRecords: 1 }, limited(bytes, 4))).toMatchObject({
      limit: 'maxTasks',
      path: 'input.shardRecords',
      reason: 'makes more than 4 tasks (maxTasks): use larger shards',
    });
    expect(await split({ blob: SHA, shardRecords: 1 }, limited(bytes, 5))).toHaveLength(5);
  });
});
