import { describe, expect, it } from 'vitest';
import { decideRetry, isGangLoss, isOpenTask, lapseMessage, outputCountError, OPEN_TASK_STATES, type RetryLimits } from './job-rules.js';
import { TASK_STATES } from './states.js';

// One worker's failures fail the job here (a trusted grid): the distinct-workers rule has its own tests below.
const retry: RetryLimits = { maxAttempts: 3, maxLapses: 2, backoff: { initialMs: 1000, factor: 3, maxMs: 5000 }, distinctWorkers: 1 };
const fresh = { index: 7, failures: 0, lapses: 0, failedOn: [] as string[], lapsedOn: [] as string[] };
const threw = (message: string, stack?: string, workerId = 'w_1') =>
  ({ type: 'threw', error: stack === undefined ? { message } : { message, stack }, workerId }) as const;

describe('decideRetry: failures', () => {
  it('retries under maxAttempts after a backoff that grows with the failures', () => {
    expect(decideRetry(fresh, retry, threw('boom'), () => 1)).toMatchObject({ type: 'retry', failures: 1, lapses: 0, error: 'boom', delayMs: 1000 });
    expect(decideRetry({ ...fresh, failures: 1, lapses: 1 }, retry, threw('again'), () => 1)).toMatchObject({
      type: 'retry',
      failures: 2,
      lapses: 1,
      error: 'again',
      delayMs: 3000,
    });
  });

  it('draws the backoff with equal jitter from the given random, capped at maxMs', () => {
    const delayAt = (failures: number, draw: number): number => {
      const decision = decideRetry({ ...fresh, failures }, { ...retry, maxAttempts: 100 }, threw('x'), () => draw);
      if (decision.type !== 'retry') throw new Error(`expected a retry, got ${decision.type}`);
      return decision.delayMs;
    };
    expect([delayAt(0, 0), delayAt(0, 1)]).toEqual([500, 1000]);
    expect([delayAt(1, 0), delayAt(1, 0.5), delayAt(1, 1)]).toEqual([1500, 2250, 3000]);
    // 1000 · 3² = 9000, capped at 5000.
    expect([delayAt(2, 0), delayAt(2, 1)]).toEqual([2500, 5000]);
    expect([delayAt(50, 0), delayAt(50, 1)]).toEqual([2500, 5000]);
  });

  it('fails the job at maxAttempts with the message and the task index, keeping the stack', () => {
    expect(decideRetry({ ...fresh, failures: 2 }, retry, threw('third time', 'Error: third time\n    at task'), () => 1)).toMatchObject({
      type: 'fail-job',
      failures: 3,
      lapses: 0,
      error: 'third time',
      jobError: { message: 'third time', taskIndex: 7, stack: 'Error: third time\n    at task' },
      reason: 'task 7 failed 3 times: third time',
    });
    const once = decideRetry(fresh, { ...retry, maxAttempts: 1 }, threw('no luck'));
    expect(once).toMatchObject({ type: 'fail-job', jobError: { message: 'no luck', taskIndex: 7 }, reason: 'task 7 failed 1 time: no luck' });
    expect(once.type === 'fail-job' && 'stack' in once.jobError).toBe(false);
  });

  it('fails the job at once for a task already over maxAttempts', () => {
    expect(decideRetry({ ...fresh, failures: 5 }, retry, threw('late'))).toMatchObject({ type: 'fail-job', failures: 6 });
  });

  it('counts a timeout as a failure, named with the task index and the limit', () => {
    const end = { type: 'timed-out', timeoutMs: 5000, workerId: 'w_1' } as const;
    expect(decideRetry(fresh, retry, end, () => 0)).toMatchObject({ type: 'retry', failures: 1, lapses: 0, error: 'task 7 timed out after 5000 ms', delayMs: 500 });
    expect(decideRetry({ ...fresh, failures: 2 }, retry, end)).toMatchObject({
      type: 'fail-job',
      failures: 3,
      lapses: 0,
      error: 'task 7 timed out after 5000 ms',
      jobError: { message: 'task 7 timed out after 5000 ms', taskIndex: 7 },
      reason: 'task 7 failed 3 times: task 7 timed out after 5000 ms',
    });
  });
});

describe('decideRetry: no single worker fails a job', () => {
  const guarded: RetryLimits = { ...retry, distinctWorkers: 2 };

  it('keeps retrying a task that used up its attempts on one worker, excluding that worker', () => {
    const third = decideRetry({ ...fresh, failures: 2, failedOn: ['w_bad'] }, guarded, threw('on purpose', undefined, 'w_bad'), () => 1);
    expect(third).toEqual({ type: 'retry', failures: 3, lapses: 0, failedOn: ['w_bad'], lapsedOn: [], error: 'on purpose', delayMs: 5000, exclude: 'w_bad' });
  });

  it('fails the job once a second worker fails it too', () => {
    const second = decideRetry({ ...fresh, failures: 3, failedOn: ['w_bad'] }, guarded, threw('really broken', undefined, 'w_2'));
    expect(second).toMatchObject({ type: 'fail-job', failedOn: ['w_bad', 'w_2'], reason: 'task 7 failed 4 times: really broken' });
  });

  it('counts a worker once however often it fails, and keeps the tally bounded', () => {
    const again = decideRetry({ ...fresh, failedOn: ['w_1'] }, { ...guarded, maxAttempts: 100 }, threw('x'));
    expect(again.failedOn).toEqual(['w_1']);
    const many = Array.from({ length: 32 }, (_, n) => `w_${n}`);
    expect(decideRetry({ ...fresh, failedOn: many }, { ...guarded, maxAttempts: 100 }, threw('x', undefined, 'w_new')).failedOn).toHaveLength(32);
  });

  it('does not fail a job on one worker dropping its lease over and over', () => {
    const end = { type: 'lapsed', workerId: 'w_hoarder' } as const;
    expect(decideRetry({ ...fresh, lapses: 1, lapsedOn: ['w_hoarder'] }, guarded, end)).toMatchObject({ type: 'retry', lapses: 2, exclude: 'w_hoarder' });
    expect(decideRetry({ ...fresh, lapses: 2, lapsedOn: ['w_hoarder'] }, guarded, { type: 'lapsed', workerId: 'w_2' })).toMatchObject({
      type: 'fail-job',
      lapsedOn: ['w_hoarder', 'w_2'],
    });
  });
});

describe('decideRetry: lapses', () => {
  it('retries a lapsed lease at once, counting a lapse and no failure, until maxLapses', () => {
    const end = { type: 'lapsed', workerId: 'w_1' } as const;
    expect(decideRetry({ ...fresh, failures: 2 }, retry, end, () => 1)).toMatchObject({
      type: 'retry',
      failures: 2,
      lapses: 1,
      error: 'lease lapsed on worker w_1',
      delayMs: 0,
    });
    expect(decideRetry({ ...fresh, lapses: 1 }, retry, end)).toMatchObject({
      type: 'fail-job',
      failures: 0,
      lapses: 2,
      error: 'lease lapsed on worker w_1',
      jobError: { message: 'lease lapsed on worker w_1 2 times', taskIndex: 7 },
      reason: 'lease lapsed on worker w_1 2 times',
    });
    expect(decideRetry({ ...fresh, lapses: 9 }, retry, end)).toMatchObject({ type: 'fail-job', lapses: 10 });
  });

  it('counts an elastic gang that lost a member as a lapse, and says so when it fails the job', () => {
    const end = { type: 'gang-lost', reason: 'gang re-forming without rank 1: lease lapsed on worker b' } as const;
    expect(decideRetry(fresh, retry, end)).toMatchObject({ type: 'retry', failures: 0, lapses: 1, error: end.reason, delayMs: 0 });
    expect(decideRetry({ ...fresh, lapses: 1 }, retry, end)).toMatchObject({
      type: 'fail-job',
      error: end.reason,
      jobError: { message: 'the gang lost a member 2 times', taskIndex: 7 },
      reason: 'the gang lost a member 2 times',
    });
  });

  it('words a lapse as the task error shows it', () => {
    expect(lapseMessage('w_9')).toBe('lease lapsed on worker w_9');
  });
});

describe('the other rules both sides apply', () => {
  it('takes a gang-caused failure as a lapse only in an elastic gang', () => {
    const elastic = { gang: { min: 2, max: 3 }, runMode: 'elastic' } as const;
    expect(isGangLoss({ cause: 'gang' }, elastic)).toBe(true);
    expect(isGangLoss({}, elastic)).toBe(false);
    expect(isGangLoss({ cause: 'gang' }, { gang: { size: 2 }, runMode: 'immediate' })).toBe(false);
    expect(isGangLoss({ cause: 'gang' }, { runMode: 'immediate' })).toBe(false);
  });

  it('takes one output per item as a result', () => {
    expect(outputCountError(3, 3)).toBeUndefined();
    expect(outputCountError(1, 2)).toBe('result has 1 outputs for 2 items');
    expect(outputCountError(0, 1)).toBe('result has 0 outputs for 1 items');
  });

  it('cancels blocked, ready and leased tasks when a job ends without completing', () => {
    expect(TASK_STATES.filter(isOpenTask)).toEqual(['blocked', 'ready', 'leased']);
    expect([...OPEN_TASK_STATES].sort()).toEqual(['blocked', 'leased', 'ready']);
  });
});
