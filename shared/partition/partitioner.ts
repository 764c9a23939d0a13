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
}

/** Splits a job's input into tasks. A new partitioner is one file and one line in `partitioners`. */
export interface Partitioner<Input extends JobInput = JobInput> {
  partition(input: Input, context: PartitionContext): Promise<TaskShare[]> | TaskShare[];
}

/** Sizes of `count` consecutive pieces split either `chunkSize` at a time or into `chunks` near-equal parts. */
export function chunkLengths(count: number, chunkSize: number | undefined, chunks: number | undefined): number[] {
  if (chunks !== undefined) {
    const parts = Math.min(chunks, count);
    const base = Math.floor(count / parts);
    const extra = count % parts;
    return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0));
  }
  const size = chunkSize ?? 1;
  return Array.from({ length: Math.ceil(count / size) }, (_, index) => Math.min(size, count - index * size));
}
