import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DutyCycle, idleAfter } from './duty-cycle.js';
import { systemTimers } from './timers.js';

describe('idleAfter', () => {
  it('idles so that work takes the share of the time', () => {
    expect([1, 0.75, 0.5, 0.25].map((share) => idleAfter(300, share))).toEqual([0, 100, 300, 900]);
    expect(idleAfter(100, 0)).toBeCloseTo(1900);
    expect(idleAfter(100, Number.NaN)).toBe(0);
    expect(idleAfter(-5, 0.5)).toBe(0);
  });
});

describe('DutyCycle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('idles after each stretch of work in proportion to it', async () => {
    const cycle = new DutyCycle(0.25, systemTimers);
    vi.advanceTimersByTime(100);
    const paced = cycle.pace();
    await vi.advanceTimersByTimeAsync(300);
    expect(await paced).toBe(300);
    // The idle time does not count as work: the next stretch starts after it.
    vi.advanceTimersByTime(20);
    const next = cycle.pace();
    await vi.advanceTimersByTimeAsync(60);
    expect(await next).toBe(60);
    expect(await new DutyCycle(1, systemTimers).pace()).toBe(0);
  });
});
