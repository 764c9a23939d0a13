import { describe, expect, it } from 'vitest';
import { CompletionRate } from './rate.js';

describe('CompletionRate', () => {
  it('counts the completions of the last window, per second, however many there are', () => {
    const rate = new CompletionRate(10_000);
    const start = 1_700_000_000_000;
    for (let n = 0; n < 300_000; n++) rate.add(start + Math.floor(n / 100)); // 300,000 over 3 s
    expect(rate.perSecond(start + 3_000)).toBe(30_000);
    expect(rate.perSecond(start + 11_500)).toBe(10_000); // the first second left the window
    expect(rate.perSecond(start + 60_000)).toBe(0);
    rate.add(start + 60_000);
    expect(rate.perSecond(start + 60_000)).toBe(0.1);
  });
});
