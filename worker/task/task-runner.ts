import { readCheckpoint, taskOutputProblem, type ContextExtras, type Predecessor, type TaskContext, type TaskFunction } from '../../shared/index.js';
import type { TaskInput, TaskLease } from '../../shared/index.js';
import { describeFailure, TaskCodeError, TaskOutputError, type TaskFailure } from '../errors.js';
import { shardRecords, type BlobShard } from './shard-reader.js';
import { TaskAttempt, type TaskPorts } from './task-attempt.js';


import { describeLease, describeValue } from './task-describe.js';

/** One task to run: the lease (input, restored checkpoint, debug flag) and the environment's ports. */
export interface TaskRun {
  lease: TaskLease;
  ports: TaskPorts;
  /** More members for `ctx` (e.g. `{ tensor }`), given by the environment. */
  extras?: ContextExtras;
  /** Ends the attempt at once, failing it with the signal's reason; task code that goes on is no longer heard. */
  signal?: AbortSignal;
}

/** How a task ended: outputs in item order (one for range, blob and reduce tasks), or its failure. */
export type TaskOutcome = { ok: true; outputs: unknown[] } | { ok: false; error: TaskFailure };

/**
 * Runs a lease's input through the task function, by its kind: once per item for `items`
 * (resuming after the items a checkpoint says are done, and checkpointing after each item but
 * the last), once for `range` (`{ start, end, step }`), `blob` (the shard's bytes, or its records)
 * and `reduce` (every output of the job). The first throw ends the task.
 * @example
 * const outcome = await runTask((x) => Number(x) * 2, {
 *   lease: { type: 'lease', leaseId: 'l1', jobId: 'j1', jobName: 'double', taskIndex: 0, attempt: 1,
 *            code: sha, input: { kind: 'items', firstItem: 0, items: [1, 2] } },
 *   ports,
 * });
 * // { ok: true, outputs: [2, 4] }
 */
export async function runTask(fn: TaskFunction, run: TaskRun): Promise<TaskOutcome> {
  const { lease, signal } = run;
  const attempt = new TaskAttempt(lease, run.ports, run.extras ?? {}, readCheckpoint(lease.restored));
  attempt.debug(() => describeLease(lease));
  const work = runInput(fn, attempt, lease.input).then(
    (outputs): TaskOutcome => ({ ok: true, outputs }),
    (thrown: unknown): TaskOutcome => ({ ok: false, error: describeFailure(thrown) }),
  );
  try {
    return await (signal ? Promise.race([work, abortedOutcome(signal)]) : work);
  } finally {
    attempt.finish();
  }
}

async function runInput(fn: TaskFunction, attempt: TaskAttempt, input: TaskInput): Promise<unknown[]> {
  const unit = attempt.lease.taskIndex;
  switch (input.kind) {
    case 'items':
      return runItems(fn, attempt, input);
    case 'range': {
      const { start, end, step } = input;
      return [await callOnce(fn, attempt, { start, end, step }, predecessorsOf(input, unit))];
    }
    case 'blob':
      return [await callOnce(fn, attempt, await readBlobInput(attempt, input), predecessorsOf(input, unit))];
    case 'reduce':
      return [await callOnce(fn, attempt, input.outputs, [])];
  }
}

type ItemsInput = Extract<TaskInput, { kind: 'items' }>;

async function runItems(fn: TaskFunction, attempt: TaskAttempt, input: ItemsInput): Promise<unknown[]> {
  const count = input.items.length;
  const outputs = resumedOutputs(attempt, count);
  attempt.trackItems(outputs);
  for (let i = outputs.length; i < count; i++) {
    if (i > 0) attempt.progress(i / count);
    const itemIndex = input.firstItem + i;
    const item = input.items[i];
    const ctx = attempt.context({
      itemIndex,
      predecessors: predecessorsOf(input, itemIndex, { first: input.firstItem, outputs }),
      scaleProgress: (fraction) => (i + fraction) / count,
    });
    attempt.debug(() => `item ${itemIndex} input: ${describeValue(item)}`);
    const output = checkedOutput(await callTask(fn, item, ctx, attempt.lease.debug === true), `the output of item ${itemIndex}`);
    outputs.push(output);
    attempt.debug(() => `item ${itemIndex} output: ${describeValue(output)}`);
    if (i < count - 1) {
      // Not awaited, so items do not wait for a round trip; a debug lease waits, to log in order.
      const saved = attempt.saveProgress();
      if (attempt.lease.debug) await saved;
      await attempt.pace();
    }
  }
  return outputs;
}

/** The outputs of the items an earlier attempt finished, as its checkpoint recorded them. */
function resumedOutputs(attempt: TaskAttempt, count: number): unknown[] {
  const done = readCheckpoint(attempt.lease.restored).items;
  if (!done || done.done > count) return [];
  if (done.done > 0) attempt.debug(() => `resuming after ${done.done} items done by an earlier attempt`);
  return [...done.outputs];
}

async function callOnce(fn: TaskFunction, attempt: TaskAttempt, input: unknown, predecessors: Predecessor[]): Promise<unknown> {
  const ctx = attempt.context({ predecessors, scaleProgress: (fraction) => fraction });
  attempt.debug(() => `input: ${describeValue(input)}`);
  const output = checkedOutput(await callTask(fn, input, ctx, attempt.lease.debug === true), "the task's output");
  attempt.debug(() => `output: ${describeValue(output)}`);
  return output;
}

/**
 * The output, checked where task code made it (inside the task's worker, before it is posted:
 * posting would keep a typed array, and lose a class, unnoticed); one JSON cannot carry fails the
 * task at once, the way it would fail at the end.
 */
function checkedOutput(output: unknown, label: string): unknown {
  const problem = taskOutputProblem(output, label);
  if (problem !== undefined) throw new TaskOutputError(`task outputs are not JSON-serialisable: ${problem}`);
  return output;
}

async function readBlobInput(attempt: TaskAttempt, shard: BlobShard): Promise<Uint8Array | string[]> {
  const bytes = await attempt.readShard(shard);
  return shard.records ? shardRecords(bytes, shard.separator) : bytes;
}

function callTask(fn: TaskFunction, input: unknown, ctx: TaskContext, debug: boolean): unknown {
  if (debug) {
    // A debug lease stops here while DevTools (or a Node inspector) is attached: step into `fn`.
    // eslint-disable-next-line no-debugger -- the breakpoint is the feature of debug jobs
    debugger;
  }
  return fn(input, ctx);
}

type Edges = Pick<ItemsInput, 'predecessors' | 'predecessorOutputs'>;

/**
 * The outputs `unit` waits for: from this task's own `outputs` for units inside it (they come
 * earlier in the task, so they are done), from the lease's `predecessorOutputs` for the others.
 */
function predecessorsOf(edges: Edges, unit: number, own?: { first: number; outputs: readonly unknown[] }): Predecessor[] {
  const indices = edges.predecessors?.[String(unit)] ?? [];
  return indices.map((index) => {
    const offset = own ? index - own.first : -1;
    const inside = own !== undefined && offset >= 0 && offset < own.outputs.length;
    return { index, output: inside ? own.outputs[offset] : edges.predecessorOutputs?.[String(index)] };
  });
}

function abortedOutcome(signal: AbortSignal): Promise<TaskOutcome> {
  return new Promise((resolve) => {
    const abort = (): void => resolve({ ok: false, error: describeFailure(signal.reason) });
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}

/**
 * The task function of a loaded module: its default export.
 * @throws {TaskCodeError} when the module has no default export that is a function
 * @example taskFunctionOf(await import(url))
 */
export function taskFunctionOf(module: unknown): TaskFunction {
  const main: unknown = typeof module === 'object' && module !== null ? Reflect.get(module, 'default') : undefined;
  if (typeof main !== 'function') {
    throw new TaskCodeError('task code must have a default export that is a function: export default (input, ctx) => output');
  }
  return main as TaskFunction;
}
