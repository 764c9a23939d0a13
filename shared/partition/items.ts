import type { ItemsInput } from '../spec.js';
import { chunkLengths, type Partitioner, type TaskShare } from './partitioner.js';

/** Consecutive chunks of items; the task's input is its items. */
export const itemsPartitioner: Partitioner<ItemsInput> = {
  partition(input) {
    const shares: TaskShare[] = [];
    let first = 0;
    for (const length of chunkLengths(input.items.length, input.chunkSize, input.chunks)) {
      shares.push({ input: input.items.slice(first, first + length), firstItem: first, itemCount: length });
      first += length;
    }
    return shares;
  },
};
