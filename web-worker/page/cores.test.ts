import { describe, expect, it } from 'vitest';
import { workerPlan, workersCap } from './cores.js';

/** The cores a plan keeps busy: what the CPU limit must add up to. */
const coresUsed = ({ workers, workerShare }: { workers: number; workerShare: number }): number => workers * workerShare;

describe('workerPlan', () => {
  it('runs cores × limit workers, each resting so that together they use cores × limit', () => {
    expect(workerPlan(2, 1)).toEqual({ workers: 2, workerShare: 1 });
    expect(workerPlan(2, 0.75)).toEqual({ workers: 2, workerShare: 0.75 });
    expect(workerPlan(2, 0.5)).toEqual({ workers: 1, workerShare: 1 });
    expect(workerPlan(2, 0.25)).toEqual({ workers: 1, workerShare: 0.5 });
    expect(workerPlan(16, 0.25)).toEqual({ workers: 4, workerShare: 1 });
    expect(workerPlan(3, 0.5)).toEqual({ workers: 2, workerShare: 0.75 });
    for (const cores of [1, 2, 3, 4, 6, 8, 12, 16, 64]) {
      for (const share of [0.25, 0.5, 0.75, 1]) {
        const plan = workerPlan(cores, share);
        // Exactly the limit, or less where it rounds down to fewer workers (3 × 75 % = 2.25: 2 workers).
        expect(coresUsed(plan)).toBeCloseTo(Math.min(cores * share, plan.workers));
        expect(plan.workers).toBe(Math.max(1, Math.round(cores * share)));
      }
    }
    expect(workerPlan(3, 0.75)).toEqual({ workers: 2, workerShare: 1 });
  });

  it('keeps at least one worker, never busier than all of its own time', () => {
    expect(workerPlan(1, 0.25)).toEqual({ workers: 1, workerShare: 0.25 });
    expect(workerPlan(0, 1)).toEqual({ workers: 1, workerShare: 1 });
    expect(workerPlan(Number.NaN, 0.5)).toEqual({ workers: 1, workerShare: 0.5 });
  });

  it('runs at most the cap, each worker then busy all the time', () => {
    expect(workerPlan(8, 1, 1)).toEqual({ workers: 1, workerShare: 1 });
    expect(workerPlan(8, 0.5, 2)).toEqual({ workers: 2, workerShare: 1 });
    expect(workerPlan(2, 0.25, 4)).toEqual({ workers: 1, workerShare: 0.5 });
  });
});

describe('workersCap', () => {
  it('reads workers=N from the join address, a whole number from 1', () => {
    expect(workersCap(new URLSearchParams('token=t&workers=1'))).toBe(1);
    expect(workersCap(new URLSearchParams('token=t'))).toBeUndefined();
    for (const wrong of ['0', '-2', '1.5', 'all', '']) expect(workersCap(new URLSearchParams(`workers=${wrong}`))).toBeUndefined();
  });
});
