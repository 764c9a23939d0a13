import type { ItemsInput } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';

/** Splits an items input into tasks of `chunkSize` consecutive items. */
export function partitionItems(jobId: string, input: ItemsInput, now: number): TaskRecord[] {
  const tasks: TaskRecord[] = [];
  for (let first = 0; first < input.items.length; first += input.chunkSize) {
    const chunk = input.items.slice(first, first + input.chunkSize);
    tasks.push({
      jobId,
      index: tasks.length,
      state: 'ready',
      firstItem: first,
      itemCount: chunk.length,
      input: chunk,
      output: null,
      attempts: 0,
      failures: 0,
      lapses: 0,
      leaseId: null,
      workerId: null,
      error: null,
      updatedAt: now,
    });
  }
  return tasks;
}
