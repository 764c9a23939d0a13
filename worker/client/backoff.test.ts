import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from 250 ms and stops at 10 s without jitter', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 20, 1000].map((attempt) => backoffDelay(attempt, { jitter: 0 }));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('takes off at most the jitter share of the delay', () => {
    expect(backoffDelay(2, {}, () => 0)).toBe(1000);
    expect(backoffDelay(2, {}, () => 1)).toBe(500);
    expect(backoffDelay(2, { jitter: 1 }, () => 0.25)).toBe(750);
    for (let i = 0; i < 100; i += 1) {
      const delay = backoffDelay(3, {});
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(2000);
    }
  });

  it('honours custom bounds and treats odd attempts as the first', () => {
    expect(backoffDelay(3, { initialMs: 10, maxMs: 50, jitter: 0 })).toBe(50);
    expect(backoffDelay(-3, { jitter: 0 })).toBe(250);
    expect(backoffDelay(Number.NaN, { jitter: 0 })).toBe(250);
  });
});

describe('Backoff', () => {
  it('grows with each failure and starts over after reset', () => {
    const backoff = new Backoff({ jitter: 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 1000]);
    backoff.reset();
    expect(backoff.next()).toBe(250);
  });
});
