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
      shares.push(new ItemsShare(input.items, first, length));
      first += length;
    }
    return shares;
  },
};

/** A chunk of items, sliced only when its input is read: a million shares need not hold a million arrays at once. */
class ItemsShare implements TaskShare {
  constructor(
    private readonly items: readonly unknown[],
    readonly firstItem: number,
    readonly itemCount: number,
  ) {}

  get input(): unknown[] {
    return this.items.slice(this.firstItem, this.firstItem + this.itemCount);
  }
}
