import { describe, expect, it } from 'vitest';
import { runTaskItems, taskFunctionOf, type TaskContext, type TaskFunction, type TaskItemsRun } from './task-runner.js';
import { formatLogArgs, truncate } from './log-format.js';

function taskRun(items: unknown[], firstItem = 0): TaskItemsRun & { logs: string[]; fractions: number[] } {
  const logs: string[] = [];
  const fractions: number[] = [];
  return {
    task: { jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, leaseId: 'lease-1' },
    items,
    firstItem,
    log: (message) => logs.push(message),
    progress: (fraction) => fractions.push(fraction),
    logs,
    fractions,
  };
}

describe('runTaskItems', () => {
  it('returns outputs in item order, awaiting async functions', async () => {
    const slowFirst: TaskFunction = async (item) => {
      const n = Number(item);
      await new Promise((resolve) => setTimeout(resolve, n === 1 ? 20 : 0));
      return n * n;
    };
    expect(await runTaskItems(slowFirst, taskRun([1, 2, 3]))).toEqual({ ok: true, outputs: [1, 4, 9] });
  });

  it('gives each call ctx.task with the job-wide item index', async () => {
    const seen: TaskContext['task'][] = [];
    await runTaskItems((_item, ctx) => seen.push(ctx.task), taskRun(['a', 'b'], 10));
    expect(seen).toEqual([
      { jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, leaseId: 'lease-1', itemIndex: 10 },
      { jobId: 'job-1', jobName: 'squares', taskIndex: 2, attempt: 1, leaseId: 'lease-1', itemIndex: 11 },
    ]);
  });

  it('turns a throw into a failure with its message and stack, calling no further items', async () => {
    const calls: unknown[] = [];
    const outcome = await runTaskItems((item) => {
      calls.push(item);
      if (item === 2) throw new Error('two is not allowed');
      return item;
    }, taskRun([1, 2, 3]));
    expect(calls).toEqual([1, 2]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.message).toBe('two is not allowed');
    expect(outcome.error.stack).toContain('two is not allowed');
  });

  it('reports a rejected promise and a thrown non-Error as failures too', async () => {
    expect(await runTaskItems(() => Promise.reject(new TypeError('async boom')), taskRun([1]))).toMatchObject({
      ok: false,
      error: { message: 'async boom' },
    });
    const thrownString = (): never => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- task code may throw anything; this is that case
      throw 'plain string';
    };
    expect(await runTaskItems(thrownString, taskRun([1]))).toEqual({ ok: false, error: { message: 'plain string' } });
  });

  it('scales progress of an item to the whole task', async () => {
    const run = taskRun([0, 1, 2, 3]);
    await runTaskItems((item, ctx) => {
      if (item === 1) ctx.progress(0.5);
      if (item === 3) ctx.progress(2);
    }, run);
    // 0.25, 0.5 and 0.75 mark items done; 0.375 is half of item 1; 1 is item 3 clamped.
    expect(run.fractions).toEqual([0.25, 0.375, 0.5, 0.75, 1]);
  });

  it('formats ctx.log like console.log and ignores calls after the task ended', async () => {
    const run = taskRun([1]);
    let late: TaskContext | undefined;
    await runTaskItems((item, ctx) => {
      ctx.log('item', item, { half: 0.5 }, [1, 2]);
      late = ctx;
    }, run);
    late?.log('too late');
    late?.progress(0.9);
    expect(run.logs).toEqual(['item 1 {"half":0.5} [1,2]']);
    expect(run.fractions).toEqual([]);
  });

  it('returns no outputs for no items', async () => {
    expect(await runTaskItems(() => 1, taskRun([]))).toEqual({ ok: true, outputs: [] });
  });
});

describe('taskFunctionOf', () => {
  it('returns the default export', () => {
    const main = (): number => 1;
    expect(taskFunctionOf({ default: main })).toBe(main);
  });

  it('throws a TaskCodeError without a default function', () => {
    expect(() => taskFunctionOf({ run: () => 1 })).toThrow(expect.objectContaining({ name: 'TaskCodeError' }));
    expect(() => taskFunctionOf({ default: 3 })).toThrow(/default export/);
    expect(() => taskFunctionOf(undefined)).toThrow(/default export/);
  });
});

describe('formatLogArgs', () => {
  it('joins odd values without throwing', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(formatLogArgs([undefined, null, 1n, cycle, function named() {}])).toBe(
      'undefined null 1 [object Object] [Function named]',
    );
    expect(formatLogArgs([new Error('bad')])).toContain('Error: bad');
  });

  it('truncates long text with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
