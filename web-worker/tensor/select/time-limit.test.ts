import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeLimitError, isTimeLimitError, withTimeLimit } from './time-limit.js';

describe('withTimeLimit', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes on what settles in time, value or error', async () => {
    await expect(withTimeLimit(Promise.resolve(3), 100, 'wasm')).resolves.toBe(3);
    await expect(withTimeLimit(Promise.reject(new Error('no adapter')), 100, 'webgpu')).rejects.toThrow('no adapter');
  });

  it('rejects with a TimeLimitError naming the step when nothing answers, a hang included', async () => {
    const hung = withTimeLimit(new Promise<never>(() => {}), 15_000, 'webgpu');
    const caught = hung.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(14_999);
    await vi.advanceTimersByTimeAsync(1);
    const error = await caught;
    expect(isTimeLimitError(error)).toBe(true);
    expect(error).toBeInstanceOf(TimeLimitError);
    expect((error as TimeLimitError).message).toBe('webgpu: no answer within 15000 ms');
    expect((error as TimeLimitError).limitMs).toBe(15_000);
  });

  it('hands what answers after the limit to onLate, so it can be released', async () => {
    let answer: (value: string) => void = () => {};
    const late: string[] = [];
    const limited = withTimeLimit(new Promise<string>((resolve) => (answer = resolve)), 10, 'webgpu', (value) => late.push(value));
    const caught = limited.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    expect(isTimeLimitError(await caught)).toBe(true);
    answer('device');
    await vi.runAllTimersAsync();
    expect(late).toEqual(['device']);
  });

  it('does not call onLate for what answered in time', async () => {
    const late: number[] = [];
    await withTimeLimit(Promise.resolve(1), 10, 'wasm', (value) => late.push(value));
    await vi.runAllTimersAsync();
    expect(late).toEqual([]);
  });
});
