import { checkTaskCount, chunkCount, SpecLimitError } from '../limits.js';
import type { BlobInput } from '../spec.js';
import { InvalidSpecError } from './errors.js';
import type { Partitioner, TaskShare } from './partitioner.js';

/**
 * Shards of a stored blob: `shardBytes` bytes each, or `shardRecords` records each (a record
 * ends with `separator`; the last may not). The task's input is the byte range of its shard.
 */
export const blobPartitioner: Partitioner<BlobInput> = {
  async partition(input, context) {
    const bytes = await context.blob(input.blob);
    if (!bytes) throw new InvalidSpecError('input.blob', `no blob ${input.blob} (PUT it to /api/v1/blobs first)`);
    const maxTasks = context.limits.maxTasks;
    const ranges = input.shardBytes !== undefined ? byteShards(bytes.length, input.shardBytes, maxTasks) : recordShards(bytes, input, maxTasks);
    return ranges.map(([offset, length], index): TaskShare => ({
      input: { offset, length, records: input.shardRecords !== undefined },
      firstItem: index,
      itemCount: 1,
    }));
  },
};

const HINT = 'use larger shards';

function byteShards(size: number, shardBytes: number, maxTasks: number): [number, number][] {
  checkTaskCount(chunkCount(size, shardBytes, undefined), maxTasks, 'input.shardBytes', HINT);
  const shards: [number, number][] = [];
  for (let offset = 0; offset < size; offset += shardBytes) shards.push([offset, Math.min(shardBytes, size - offset)]);
  return shards.length > 0 ? shards : [[0, 0]];
}

function recordShards(bytes: Uint8Array, input: BlobInput, maxTasks: number): [number, number][] {
  const separator = new TextEncoder().encode(input.separator);
  const perShard = input.shardRecords!;
  const shards: [number, number][] = [];
  let shardStart = 0;
  let records = 0;
  for (let at = indexOf(bytes, separator, 0); at !== -1; at = indexOf(bytes, separator, at + separator.length)) {
    if (++records === perShard) {
      const end = at + separator.length;
      shards.push([shardStart, end - shardStart]);
      // Counted as they are found: the whole count is known only at the end.
      if (shards.length > maxTasks) {
        throw new SpecLimitError('input.shardRecords', `makes more than ${maxTasks} tasks (maxTasks): ${HINT}`, 'maxTasks');
      }
      shardStart = end;
      records = 0;
    }
  }
  if (shardStart < bytes.length || shards.length === 0) shards.push([shardStart, bytes.length - shardStart]);
  return shards;
}

function indexOf(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  for (let at = bytes.indexOf(first, from); at !== -1; at = bytes.indexOf(first, at + 1)) {
    if (needle.every((byte, offset) => bytes[at + offset] === byte)) return at;
  }
  return -1;
}
