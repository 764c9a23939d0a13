import { chunkCount, type SpecLimits } from '../limits.js';
import type { JobInput } from '../spec.js';

/**
 * One task's share of the input. `firstItem`/`itemCount` place its outputs in the job's result
 * index space: item indices for items jobs; for range and blob jobs each task is one result.
 */
export interface TaskShare {
  input: unknown;
  firstItem: number;
  itemCount: number;
}

/** What a partitioner may read. */
export interface PartitionContext {
  blob(sha256: string): Promise<Uint8Array | undefined>;
  /** A partitioner refuses input that would make more tasks, or hold more items, than these. */
  limits: Pick<SpecLimits, 'maxTasks' | 'maxItems'>;
}

/** Splits a job's input into tasks. A new partitioner is one file and one line in `partitioners`. */
export interface Partitioner<Input extends JobInput = JobInput> {
  partition(input: Input, context: PartitionContext): Promise<TaskShare[]> | TaskShare[];
}

/** Sizes of `count` consecutive pieces split either `chunkSize` at a time or into `chunks` near-equal parts. */
export function chunkLengths(count: number, chunkSize: number | undefined, chunks: number | undefined): number[] {
  if (chunks !== undefined) {
    const parts = chunkCount(count, chunkSize, chunks);
    const base = Math.floor(count / parts);
    const extra = count % parts;
    return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0));
  }
  const size = chunkSize ?? 1;
  return Array.from({ length: chunkCount(count, size, undefined) }, (_, index) => Math.min(size, count - index * size));
}
