import { describe, expect, it } from 'vitest';
import { chunkCount, deeperThan, depthError } from './limits.js';

describe('deeperThan', () => {
  it('names the first place nested deeper than the limit', () => {
    expect(deeperThan({ a: [[1]] }, 3)).toBeUndefined();
    expect(deeperThan({ a: [[1]] }, 2)).toBe('a.0');
    expect(deeperThan([1, { b: {} }], 1)).toBe('1');
    expect(deeperThan('text', 0)).toBeUndefined();
    expect(deeperThan({}, 0)).toBe('');
  });

  it('measures a value nested a million deep without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(1_000_000)}1${']'.repeat(1_000_000)}`) as unknown;
    expect(deeperThan(deep, 64)).toBe(Array.from({ length: 64 }, () => '0').join('.'));
    expect(depthError(deep, 64)).toMatchObject({ name: 'SpecLimitError', limit: 'maxDepth' });
    expect(depthError({}, 0)).toMatchObject({ path: '(root)' });
  });
});

describe('chunkCount', () => {
  it('counts pieces without making them', () => {
    expect(chunkCount(10, 3, undefined)).toBe(4);
    expect(chunkCount(10, undefined, 4)).toBe(4);
    expect(chunkCount(3, undefined, 10)).toBe(3);
    expect(chunkCount(1e15, undefined, undefined)).toBe(1e15);
  });
});
