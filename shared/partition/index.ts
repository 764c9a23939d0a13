import type { JobInput } from '../spec.js';
import { blobPartitioner } from './blob.js';
import { itemsPartitioner } from './items.js';
import type { PartitionContext, TaskShare } from './partitioner.js';
import { rangePartitioner } from './range.js';

export type { Partitioner, PartitionContext, TaskShare } from './partitioner.js';
export { InvalidSpecError } from './errors.js';
export { buildJobGraph, type JobGraph } from './job-graph.js';
export { taskInput, type TaskPlace, type OutputSource } from './task-input.js';

/** Splits a job's input with the partitioner it names. */
export async function partition(input: JobInput, context: PartitionContext): Promise<TaskShare[]> {
  switch (input.partitioner) {
    case 'items':
      return itemsPartitioner.partition(input, context);
    case 'range':
      return rangePartitioner.partition(input, context);
    case 'blob':
      return blobPartitioner.partition(input, context);
  }
}
