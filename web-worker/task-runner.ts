import { describeFailure, TaskCodeError, type TaskFailure } from './errors.js';
import { formatLogArgs } from './log-format.js';

/** What `ctx.task` tells task code about the item it is called for. */
export interface TaskInfo {
  jobId: string;
  jobName: string;
  taskIndex: number;
  attempt: number;
  leaseId: string;
  /** Index of this item in the whole job: the lease's `firstItem` plus its place in the lease. */
  itemIndex: number;
}

/** The second argument of the task function. */
export interface TaskContext {
  readonly task: Readonly<TaskInfo>;
  /** Logs a line (joined like `console.log`) to the job's log. */
  log(...args: unknown[]): void;
  /** How far the current item is, from 0 to 1. */
  progress(fraction: number): void;
}

/** The default export of task code: called once per item, may be async. */
export type TaskFunction = (item: unknown, ctx: TaskContext) => unknown;

/** One task to run: its items and where its logs and progress go. */
export interface TaskItemsRun {
  task: Omit<TaskInfo, 'itemIndex'>;
  items: readonly unknown[];
  firstItem: number;
  /** A formatted log line from `ctx.log`. */
  log(message: string): void;
  /** Progress of the whole task, from 0 to 1: `(items done + fraction of the current one) / items`. */
  progress(fraction: number): void;
}

/** How a task ended: outputs in item order, or the first item's failure. */
export type TaskOutcome = { ok: true; outputs: unknown[] } | { ok: false; error: TaskFailure };

/**
 * Calls `fn` once per item, in order, awaiting each; the first throw ends the task.
 * @example
 * const outcome = await runTaskItems((x) => Number(x) * 2, {
 *   task: { jobId: 'j1', jobName: 'double', taskIndex: 0, attempt: 1, leaseId: 'l1' },
 *   items: [1, 2], firstItem: 0, log: console.log, progress: () => {},
 * });
 * // { ok: true, outputs: [2, 4] }
 */
export async function runTaskItems(fn: TaskFunction, run: TaskItemsRun): Promise<TaskOutcome> {
  const outputs: unknown[] = [];
  const count = run.items.length;
  let finished = false;
  try {
    for (const [i, item] of run.items.entries()) {
      if (i > 0) run.progress(i / count);
      const ctx = contextFor(run, i, () => finished);
      outputs.push(await fn(item, ctx));
    }
    return { ok: true, outputs };
  } catch (thrown) {
    return { ok: false, error: describeFailure(thrown) };
  } finally {
    finished = true;
  }
}

function contextFor(run: TaskItemsRun, i: number, isFinished: () => boolean): TaskContext {
  const task = Object.freeze({ ...run.task, itemIndex: run.firstItem + i });
  return {
    task,
    log: (...args) => {
      if (!isFinished()) run.log(formatLogArgs(args));
    },
    progress: (fraction) => {
      if (isFinished() || typeof fraction !== 'number' || Number.isNaN(fraction)) return;
      const clamped = Math.min(Math.max(fraction, 0), 1);
      run.progress((i + clamped) / run.items.length);
    },
  };
}

/**
 * The task function of a loaded module: its default export.
 * @throws {TaskCodeError} when the module has no default export that is a function
 * @example taskFunctionOf(await import(url))
 */
export function taskFunctionOf(module: unknown): TaskFunction {
  const main: unknown = typeof module === 'object' && module !== null ? Reflect.get(module, 'default') : undefined;
  if (typeof main !== 'function') {
    throw new TaskCodeError('task code must have a default export that is a function: export default (item, ctx) => output');
  }
  return main as TaskFunction;
}
