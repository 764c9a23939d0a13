import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './backoff.js';

describe('ReconnectBackoff', () => {
  it('doubles from 250 ms and stops at 10 s at the top of its jitter', () => {
    const backoff = new ReconnectBackoff({}, () => 1);
    const delays = Array.from({ length: 10 }, () => backoff.next());
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
  });

  it('waits between half and all of each delay (equal jitter)', () => {
    const third = (random: () => number): number => {
      const backoff = new ReconnectBackoff({}, random);
      backoff.next();
      backoff.next();
      return backoff.next();
    };
    expect(third(() => 0)).toBe(500);
    expect(third(() => 1)).toBe(1000);
    expect(third(() => 0.5)).toBe(750);
    for (let i = 0; i < 100; i += 1) {
      const delay = third(Math.random);
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1000);
    }
  });

  it('honours custom bounds, and starts over after reset', () => {
    const custom = new ReconnectBackoff({ initialMs: 10, maxMs: 50, factor: 3 }, () => 1);
    expect([custom.next(), custom.next(), custom.next()]).toEqual([10, 30, 50]);
    custom.reset();
    expect(custom.next()).toBe(10);
  });
});
