import { backoffDelay } from './backoff.js';
import { counted } from './describe.js';
import type { JobError } from './job.js';
import type { RetryPolicy, RunMode } from './spec.js';
import type { TaskState } from './states.js';

// The rules of a job's tasks that the coordinator's scheduler and the SDK's local runner both
// apply: what an attempt that ended without a result means, which outputs count as a result, and
// what a job's end does to its open tasks. Pure, so the two cannot drift apart.

/** What the rules need to know of a task: which one, and how many of its attempts ended badly so far. */
export interface TaskTally {
  index: number;
  /** Attempts that threw (or timed out). */
  failures: number;
  /** Attempts lost through no fault of the task: lapsed leases, elastic gangs that lost a member. */
  lapses: number;
  /** The distinct workers whose attempts threw or timed out. */
  failedOn: readonly string[];
  /** The distinct workers whose leases lapsed. */
  lapsedOn: readonly string[];
}

/** What a task threw, as its worker reports it. */
export interface ThrownError {
  message: string;
  stack?: string | undefined;
}

/**
 * Why an attempt ended without a result.
 * - `threw`: the task code threw, or its worker reported a failure (its own timeout included).
 * - `timed-out`: the attempt ran past `retry.timeoutMs` before its worker reported anything.
 * - `lapsed`: the worker's lease lapsed (tab closed, network lost).
 * - `gang-lost`: a member of an elastic gang was lost, so the gang re-forms; `reason` says how.
 */
export type AttemptEnd =
  | { type: 'threw'; error: ThrownError; workerId: string }
  | { type: 'timed-out'; timeoutMs: number; workerId: string }
  | { type: 'lapsed'; workerId: string }
  | { type: 'gang-lost'; reason: string };

/** What becomes of a task after an attempt ended without a result: its new counts and last error, and what happens next. */
export type RetryDecision = {
  failures: number;
  lapses: number;
  failedOn: string[];
  lapsedOn: string[];
  /** The task's last error. */
  error: string;
} & (
  | {
      /** The task is ready again `delayMs` from now: a backoff after a failure, 0 (at once) after a lapse. */
      type: 'retry';
      delayMs: number;
      /**
       * This worker used up the task's attempts (or lapses) alone: it gets the task no more, and
       * the task waits for another worker rather than failing its job on one volunteer's word.
       */
      exclude?: string;
    }
  | {
      /** The task failed for good, and with it its job: `jobError` is the job's error, `reason` its FAILED event's. */
      type: 'fail-job';
      jobError: JobError;
      reason: string;
    }
);

/** The limits of `retry` the decisions use. */
export type RetryLimits = Pick<RetryPolicy, 'maxAttempts' | 'maxLapses' | 'backoff' | 'distinctWorkers'>;

/** A task nothing has happened to yet. */
export const FRESH_TALLY = { failures: 0, lapses: 0, failedOn: [], lapsedOn: [] } as const satisfies Omit<TaskTally, 'index'>;

/**
 * Decides what an attempt that ended without a result means. A failure (thrown, or past
 * `timeoutMs`) is retried after `backoff` until `maxAttempts` attempts have failed; then the job
 * fails with the task's message and index, if the task failed on `distinctWorkers` workers. A
 * lapse is retried at once until `maxLapses` lapses; then the job fails saying so, again only if
 * that many distinct workers lost it. Short of that the one worker is excluded from the task,
 * which waits for another: no single volunteer fails a job.
 * @example
 * decideRetry({ index: 4, failures: 2, lapses: 0, failedOn: ['w1'], lapsedOn: [] }, { maxAttempts: 3, maxLapses: 10, backoff, distinctWorkers: 2 }, { type: 'threw', error: { message: 'boom' }, workerId: 'w2' })
 * // { type: 'fail-job', failures: 3, lapses: 0, failedOn: ['w1', 'w2'], ..., jobError: { message: 'boom', taskIndex: 4 }, reason: 'task 4 failed 3 times: boom' }
 */
export function decideRetry(task: TaskTally, retry: RetryLimits, end: AttemptEnd, random: () => number = Math.random): RetryDecision {
  switch (end.type) {
    case 'threw':
      return failure(task, retry, end.error, end.workerId, random);
    case 'timed-out':
      return failure(task, retry, { message: `task ${task.index} timed out after ${end.timeoutMs} ms` }, end.workerId, random);
    case 'lapsed':
      return lapse(task, retry, lapseMessage(end.workerId), lapseMessage(end.workerId), end.workerId);
    case 'gang-lost':
      return lapse(task, retry, end.reason, 'the gang lost a member', undefined);
  }
}

/**
 * Why a lease lapsed, as the task's error says it.
 * @example lapseMessage('w_1') // 'lease lapsed on worker w_1'
 */
export function lapseMessage(workerId: string): string {
  return `lease lapsed on worker ${workerId}`;
}

/**
 * True when a reported failure is a gang's loss rather than the task's fault: a member of an
 * elastic gang failed because another member was lost (`cause: 'gang'`). The gang re-forms, and
 * the attempt counts as a lapse; in a fixed gang, or for the member's own error, it is a failure.
 * @example isGangLoss({ cause: 'gang' }, { gang: { min: 2, max: 4 }, runMode: 'elastic' }) // true
 */
export function isGangLoss(error: { cause?: 'gang' | undefined }, spec: { gang?: unknown; runMode: RunMode }): boolean {
  return spec.gang !== undefined && spec.runMode === 'elastic' && error.cause === 'gang';
}

/**
 * Why reported outputs are not a task's result, or undefined when they are: one output per item.
 * @example outputCountError(1, 2) // 'result has 1 outputs for 2 items'
 */
export function outputCountError(outputs: number, items: number): string | undefined {
  return outputs === items ? undefined : `result has ${outputs} outputs for ${items} items`;
}

/** Task states a job's end leaves open: a job that does not complete cancels them. */
export const OPEN_TASK_STATES = ['blocked', 'ready', 'leased'] as const satisfies readonly TaskState[];

/**
 * True for a task that a job which ends without completing cancels.
 * @example isOpenTask('ready') // true
 */
export function isOpenTask(state: TaskState): boolean {
  return (OPEN_TASK_STATES as readonly TaskState[]).includes(state);
}

/** How many distinct workers a tally keeps: enough to count up to any `distinctWorkers`. */
const MAX_NAMED_WORKERS = 32;

function withWorker(workers: readonly string[], workerId: string): string[] {
  if (workers.includes(workerId) || workers.length >= MAX_NAMED_WORKERS) return [...workers];
  return [...workers, workerId];
}

function failure(task: TaskTally, retry: RetryLimits, error: ThrownError, workerId: string, random: () => number): RetryDecision {
  const failures = task.failures + 1;
  const failedOn = withWorker(task.failedOn, workerId);
  const counts = { failures, lapses: task.lapses, failedOn, lapsedOn: [...task.lapsedOn], error: error.message };
  const delayMs = backoffDelay(retry.backoff, failures, random);
  if (failures < retry.maxAttempts) return { ...counts, type: 'retry', delayMs };
  if (failedOn.length < retry.distinctWorkers) return { ...counts, type: 'retry', delayMs, exclude: workerId };
  const jobError: JobError = { message: error.message, taskIndex: task.index };
  if (error.stack !== undefined) jobError.stack = error.stack;
  return { ...counts, type: 'fail-job', jobError, reason: `task ${task.index} failed ${counted(failures, 'time')}: ${error.message}` };
}

function lapse(task: TaskTally, retry: RetryLimits, error: string, what: string, workerId: string | undefined): RetryDecision {
  const lapses = task.lapses + 1;
  const lapsedOn = workerId === undefined ? [...task.lapsedOn] : withWorker(task.lapsedOn, workerId);
  const counts = { failures: task.failures, lapses, failedOn: [...task.failedOn], lapsedOn, error };
  if (lapses < retry.maxLapses) return { ...counts, type: 'retry', delayMs: 0 };
  // An elastic gang's losses name no one worker: they count as they always did.
  if (workerId !== undefined && lapsedOn.length < retry.distinctWorkers) return { ...counts, type: 'retry', delayMs: 0, exclude: workerId };
  const message = `${what} ${counted(lapses, 'time')}`;
  return { ...counts, type: 'fail-job', jobError: { message, taskIndex: task.index }, reason: message };
}
