import { describe, expect, it } from 'vitest';
import { agree, findQuorum, Validation } from './validation.js';

const exact = { relative: 0, absolute: 0 };

describe('agree', () => {
  it('compares JSON deeply: same shape, same values', () => {
    expect(agree([1, { a: 'x', b: [true, null] }], [1, { b: [true, null], a: 'x' }], exact)).toBe(true);
    expect(agree([1, { a: 'x' }], [1, { a: 'y' }], exact)).toBe(false);
    expect(agree({ a: 1 }, { a: 1, b: 2 }, exact)).toBe(false);
    expect(agree([1, 2], { 0: 1, 1: 2 }, exact)).toBe(false);
    expect(agree(null, {}, exact)).toBe(false);
    expect(agree('1', 1, exact)).toBe(false);
  });

  it('lets numbers (and arrays of them) differ within the tolerance', () => {
    const floats = [0.1 + 0.2, 1e6 + 0.01];
    expect(agree(floats, [0.3, 1e6], exact)).toBe(false);
    expect(agree(floats, [0.3, 1e6], { relative: 1e-7, absolute: 0 })).toBe(true);
    expect(agree([0, 1e-9], [1e-12, 0], { relative: 0, absolute: 1e-8 })).toBe(true);
    expect(agree([1], [1.1], { relative: 0.01, absolute: 0 })).toBe(false);
  });

  it('never lets non-finite numbers agree with finite ones', () => {
    expect(agree(Infinity, 1e308, { relative: 1, absolute: 1 })).toBe(false);
  });

  it('walks deep outputs without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(agree(deep, deep, exact)).toBe(true);
  });
});

describe('findQuorum', () => {
  it('accepts the result enough others agree with, naming who did not', () => {
    const results = [
      { workerId: 'liar', outputs: [3] },
      { workerId: 'a', outputs: [2] },
      { workerId: 'b', outputs: [2] },
    ];
    expect(findQuorum(results, 2, exact)).toEqual({ type: 'quorum', canonical: results[1], agreeing: ['a', 'b'], disagreeing: ['liar'] });
  });

  it('finds none while too few agree', () => {
    expect(findQuorum([{ workerId: 'a', outputs: [1] }, { workerId: 'b', outputs: [2] }], 2, exact)).toEqual({ type: 'none' });
    expect(findQuorum([], 2, exact)).toEqual({ type: 'none' });
  });
});

describe('Validation spec', () => {
  it('fills in a majority quorum, exact comparison, adaptive, and twice the replicas at most', () => {
    expect(Validation.parse({ replicas: 3 })).toEqual({ replicas: 3, quorum: 2, tolerance: exact, adaptive: true, maxReplicas: 6 });
  });

  it('refuses a quorum over the replicas, a quorum of one, and a maximum under the replicas', () => {
    expect(Validation.safeParse({ replicas: 2, quorum: 3 }).success).toBe(false);
    expect(Validation.safeParse({ replicas: 2, quorum: 1 }).success).toBe(false);
    expect(Validation.safeParse({ replicas: 4, maxReplicas: 3 }).success).toBe(false);
  });
});
