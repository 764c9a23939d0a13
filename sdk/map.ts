import type { JobSpecInput, TaskFunction } from '../shared/index.js';
import { TabgridError } from './errors.js';
import type { Job, ReadOptions } from './job.js';
import { taskModuleSource } from './task-module.js';

/** Options of `grid.map()`. */
export interface MapOptions {
  /**
   * Items per task: larger chunks mean fewer round trips, smaller ones spread better over tabs.
   * @default 1
   * @example await grid.map(numbers, (x: number) => x * x, { chunkSize: 100 })
   */
  chunkSize?: number;
  /**
   * The job's name, as shown by `tabgrid list` and the admin panel.
   * @default 'map'
   */
  name?: string;
  /**
   * Higher runs first, from -1000 to 1000.
   * @default 0
   */
  priority?: number;
  /**
   * How often a task is tried before the job fails.
   * @default { maxAttempts: 3, maxLapses: 10 }
   * @example { retry: { maxAttempts: 1 } } // fail on the first error
   */
  retry?: NonNullable<JobSpecInput['retry']>;
  /**
   * Give up waiting with a `TimeoutError` after this long (the job keeps running).
   * @default no limit
   */
  timeoutMs?: number;
  /** Stop waiting when this signal aborts. */
  signal?: AbortSignal;
  /**
   * Run here, in this process, one task at a time (`runMode: 'local'`) instead of on the grid:
   * the same function, the same results, no coordinator needed.
   * @default false
   * @example await grid.map([1, 2, 3], (x: number) => x * x, { local: true }) // [1, 4, 9]
   */
  local?: boolean;
}

/** The job spec `map()` submits: `fn`'s source as the module, `items` as the input. */
export function mapSpec(items: readonly unknown[], fn: TaskFunction<never, unknown>, options: MapOptions): JobSpecInput {
  const spec: JobSpecInput = {
    name: options.name ?? 'map',
    code: taskModuleSource(fn),
    input: options.chunkSize === undefined ? { items: [...items] } : { items: [...items], chunkSize: options.chunkSize },
  };
  if (options.priority !== undefined) spec.priority = options.priority;
  if (options.retry !== undefined) spec.retry = options.retry;
  if (options.local) spec.runMode = 'local';
  return spec;
}

/** Reads a finished job's results into an array by item index; every index must be there. */
export async function collectOutputs(job: Job, count: number, options: ReadOptions = {}): Promise<unknown[]> {
  const outputs = new Array<unknown>(count);
  const seen = new Array<boolean>(count).fill(false);
  for await (const { index, output } of job.results(options)) {
    if (index < 0 || index >= count) throw new TabgridError(`job ${job.id} returned a result for item ${index}, of ${count} items`);
    outputs[index] = output;
    seen[index] = true;
  }
  const missing = seen.indexOf(false);
  if (missing !== -1) throw new TabgridError(`job ${job.id} completed without a result for item ${missing}`);
  return outputs;
}
