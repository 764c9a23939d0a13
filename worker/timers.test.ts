import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle, within } from './timers.js';

describe('Throttle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes the first value at once and the latest held one after the interval', () => {
    const passed: number[] = [];
    const throttle = new Throttle(250, (value: number) => passed.push(value));
    throttle.push(1);
    throttle.push(2);
    throttle.push(3);
    expect(passed).toEqual([1]);
    vi.advanceTimersByTime(249);
    expect(passed).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(passed).toEqual([1, 3]);
    vi.advanceTimersByTime(1000);
    throttle.push(4);
    expect(passed).toEqual([1, 3, 4]);
  });

  it('drops the held value on cancel and passes it on flush', () => {
    const passed: number[] = [];
    const throttle = new Throttle(250, (value: number) => passed.push(value));
    throttle.push(1);
    throttle.push(2);
    throttle.cancel();
    vi.advanceTimersByTime(1000);
    expect(passed).toEqual([1]);
    throttle.push(3);
    throttle.push(4);
    throttle.flush();
    expect(passed).toEqual([1, 3, 4]);
    vi.advanceTimersByTime(1000);
    expect(passed).toEqual([1, 3, 4]);
  });
});

describe('within', () => {
  it("answers the work's outcome in time, else what late() returns or throws", async () => {
    expect(await within(Promise.resolve(1), 1000, () => null)).toBe(1);
    expect(await within(new Promise(() => {}), 5, () => null)).toBeNull();
    await expect(within(new Promise(() => {}), 5, () => { throw new Error('no answer within 5 ms'); })).rejects.toThrow('no answer within 5 ms');
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a non-Error rejection is what is tested
    await expect(within(Promise.reject('text'), 1000, () => null)).rejects.toThrow('text');
  });
});
