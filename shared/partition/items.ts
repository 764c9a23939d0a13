import { checkTaskCount, chunkCount, SpecLimitError } from '../limits.js';
import type { ItemsInput } from '../spec.js';
import { chunkLengths, type Partitioner, type TaskShare } from './partitioner.js';

/** Consecutive chunks of items; the task's input is its items. */
export const itemsPartitioner: Partitioner<ItemsInput> = {
  partition(input, { limits }) {
    if (input.items.length > limits.maxItems) {
      throw new SpecLimitError('input.items', `${input.items.length} items, over the limit of ${limits.maxItems} (maxItems)`, 'maxItems');
    }
    const tasks = chunkCount(input.items.length, input.chunkSize, input.chunks);
    checkTaskCount(tasks, limits.maxTasks, 'input', 'use a larger chunkSize, or chunks');
    const shares: TaskShare[] = [];
    let first = 0;
    for (const length of chunkLengths(input.items.length, input.chunkSize, input.chunks)) {
      shares.push({ input: input.items.slice(first, first + length), firstItem: first, itemCount: length });
      first += length;
    }
    return shares;
  },
};
