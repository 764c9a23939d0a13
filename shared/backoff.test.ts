import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { Backoff } from './spec.js';

describe('backoffDelay', () => {
  const defaults = Backoff.parse({});

  it('keeps the documented retry defaults: 1 s doubling to 60 s', () => {
    expect(defaults).toEqual({ initialMs: 1000, factor: 2, maxMs: 60_000 });
    const full = [1, 2, 3, 4, 5, 6, 7, 8].map((retry) => backoffDelay(defaults, retry, () => 1));
    expect(full).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('draws equal jitter: half fixed, half random, within [capped / 2, capped] for any draw', () => {
    expect(backoffDelay(defaults, 3, () => 0)).toBe(2000);
    expect(backoffDelay(defaults, 3, () => 0.25)).toBe(2500);
    expect(backoffDelay(defaults, 3, () => 1)).toBe(4000);
    for (let retry = 1; retry <= 12; retry++) {
      const capped = Math.min(60_000, 1000 * 2 ** (retry - 1));
      for (const draw of [0, 0.01, 0.5, 0.99, 1]) {
        const delay = backoffDelay(defaults, retry, () => draw);
        expect(delay).toBeGreaterThanOrEqual(capped / 2);
        expect(delay).toBeLessThanOrEqual(capped);
      }
    }
  });

  it('stays within bounds for a random source that strays outside [0, 1]', () => {
    expect(backoffDelay(defaults, 1, () => -3)).toBe(500);
    expect(backoffDelay(defaults, 1, () => 7)).toBe(1000);
  });

  it('counts a retry below 1 (or NaN) as the first, and never overflows', () => {
    expect(backoffDelay(defaults, 0, () => 1)).toBe(1000);
    expect(backoffDelay(defaults, -4, () => 1)).toBe(1000);
    expect(backoffDelay(defaults, Number.NaN, () => 1)).toBe(1000);
    expect(backoffDelay(defaults, 10_000, () => 1)).toBe(60_000);
    expect(backoffDelay({ initialMs: 0, factor: 2, maxMs: 60_000 }, 10_000, () => 1)).toBe(0);
    expect(backoffDelay({ initialMs: 5000, factor: 2, maxMs: 3000 }, 1, () => 1)).toBe(3000);
  });

  it('uses Math.random when no source is given', () => {
    const delay = backoffDelay({ initialMs: 100, factor: 1, maxMs: 100 }, 1);
    expect(delay).toBeGreaterThanOrEqual(50);
    expect(delay).toBeLessThanOrEqual(100);
  });
});
