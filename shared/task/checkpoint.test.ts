import { describe, expect, it } from 'vitest';
import { CheckpointStateError, checkpointProblem, checkpointStateProblem, isCheckpointStateError, jsonValueProblem, taskOutputProblem } from './checkpoint.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe('checkpointStateProblem', () => {
  it('passes plain nested JSON values', () => {
    const state = { step: 3, name: 'run', done: false, none: null, weights: [0.5, -1, 2e-8], layers: [{ w: [[1, 2], [3, 4]], b: [] }], empty: {} };
    expect(checkpointStateProblem(state)).toBeUndefined();
    expect(checkpointStateProblem([1, 'two', [null]])).toBeUndefined();
    expect(checkpointStateProblem('just a string')).toBeUndefined();
    expect(checkpointStateProblem(0)).toBeUndefined();
    expect(checkpointStateProblem(null)).toBeUndefined();
    expect(checkpointStateProblem(Object.assign(Object.create(null) as object, { a: 1 }))).toBeUndefined();
  });

  it('passes an object seen twice that is not a cycle', () => {
    const shared = { a: 1 };
    expect(checkpointStateProblem({ left: shared, right: shared, list: [shared, shared] })).toBeUndefined();
  });

  it.each([
    ['Float32Array', new Float32Array(3), 'is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob'],
    ['Uint8Array', new Uint8Array(2), 'is a Uint8Array, which JSON cannot carry; convert it (Array.from) or store it as a blob'],
    ['Int32Array', new Int32Array(2), 'is an Int32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob'],
    ['DataView', new DataView(new ArrayBuffer(4)), 'is a DataView, which JSON cannot carry; convert it (Array.from(new Uint8Array(view.buffer))) or store it as a blob'],
    ['ArrayBuffer', new ArrayBuffer(4), 'is an ArrayBuffer, which JSON cannot carry; convert it (Array.from(new Uint8Array(buffer))) or store it as a blob'],
    ['Map', new Map([['a', 1]]), 'is a Map, which JSON turns into {}; convert it (Object.fromEntries(map) or [...map])'],
    ['Set', new Set([1]), 'is a Set, which JSON turns into {}; convert it ([...set])'],
    ['Date', new Date(0), 'is a Date, which JSON turns into a string; store date.getTime() or date.toISOString() instead'],
    ['BigInt', 1n, 'is a BigInt, which JSON cannot carry; convert it (Number or String)'],
    ['function', () => 1, 'is a function, which JSON cannot carry'],
    ['symbol', Symbol('s'), 'is a symbol, which JSON cannot carry'],
    ['NaN', Number.NaN, 'is NaN, which JSON turns into null'],
    ['Infinity', Number.POSITIVE_INFINITY, 'is Infinity, which JSON turns into null'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'is -Infinity, which JSON turns into null'],
    ['class instance', new Point(1, 2), 'is an instance of Point, which JSON turns into a plain object (its class is lost); pass its data as a plain object'],
    ['Error', new Error('boom'), 'is an instance of Error, which JSON turns into a plain object (its class is lost); pass its data as a plain object'],
    ['undefined value of a key', undefined, 'is undefined, which JSON drops; leave the key out or use null'],
  ])('refuses a %s, naming its key', (_, value, problem) => {
    expect(checkpointStateProblem({ weights: value })).toBe(`checkpoint state at .weights ${problem}`);
  });

  it('refuses undefined in an array, and undefined at the top', () => {
    expect(checkpointStateProblem({ list: [1, undefined, 3] })).toBe('checkpoint state at .list[1] is undefined, which JSON turns into null in an array; use null');
    // A hole reads as undefined too, and JSON makes it null.
    const holed: unknown[] = [1];
    holed[2] = 3;
    expect(checkpointStateProblem(holed)).toBe('checkpoint state at [1] is undefined, which JSON turns into null in an array; use null');
    expect(checkpointStateProblem(undefined)).toBe('checkpoint state is undefined, which JSON cannot carry; use null');
  });

  it('refuses a value that is itself unfit without a path', () => {
    expect(checkpointStateProblem(new Float32Array(1))).toBe('checkpoint state is a Float32Array, which JSON cannot carry; convert it (Array.from) or store it as a blob');
  });

  it('names the path in nested arrays and objects', () => {
    const state = { model: { layers: [{ w: [1, 2] }, { w: [3, 4] }, { w: [5, new Date(0)] }] } };
    expect(checkpointStateProblem(state)).toMatch(/^checkpoint state at \.model\.layers\[2\]\.w\[1\] is a Date, /);
    expect(checkpointStateProblem([[0], [[0, { deep: 1n }]]])).toMatch(/^checkpoint state at \[1\]\[0\]\[1\]\.deep is a BigInt/);
    expect(checkpointStateProblem({ 'not an identifier': { 'x-y': Number.NaN } })).toBe('checkpoint state at ["not an identifier"]["x-y"] is NaN, which JSON turns into null');
  });

  it('refuses cycles, saying where they lead back to', () => {
    const state: { a: { b: unknown[] } } = { a: { b: [] } };
    state.a.b.push(state.a);
    expect(checkpointStateProblem(state)).toBe('checkpoint state at .a.b[0] is a reference back to .a: a cycle, which JSON cannot carry');
    const top: Record<string, unknown> = {};
    top['self'] = top;
    expect(checkpointStateProblem(top)).toBe('checkpoint state at .self is a reference back to the top: a cycle, which JSON cannot carry');
  });

  it('refuses symbol keys, which JSON drops', () => {
    expect(checkpointStateProblem({ a: { [Symbol('s')]: 1 } })).toBe('checkpoint state at .a has a symbol key, which JSON drops');
  });

  it('agrees with what a JSON round trip keeps, for every value it passes', () => {
    const passing = [{ a: [1, { b: 'c' }], d: null }, [[]], 'x', 1.5, true];
    for (const value of passing) {
      expect(checkpointStateProblem(value)).toBeUndefined();
      expect(JSON.parse(JSON.stringify(value))).toEqual(value);
    }
  });
});

describe('taskOutputProblem', () => {
  it('lets an output that is itself undefined through (it is reported as null), but not one inside', () => {
    expect(taskOutputProblem(undefined, 'the output of item 0')).toBeUndefined();
    expect(taskOutputProblem({ a: undefined }, 'the output of item 0')).toBe('the output of item 0 at .a is undefined, which JSON drops; leave the key out or use null');
    expect(taskOutputProblem({ w: new Float64Array(1) }, "the task's output")).toMatch(/^the task's output at \.w is a Float64Array, /);
  });
});

describe('checkpointProblem', () => {
  it('checks the user state of an envelope, and its item outputs as outputs', () => {
    expect(checkpointProblem({ items: { done: 2, outputs: [undefined, 4] }, user: { step: 1 } })).toBeUndefined();
    expect(checkpointProblem({ user: { w: new Float32Array(1) } })).toMatch(/^checkpoint state at \.w is a Float32Array/);
    expect(checkpointProblem({ items: { done: 1, outputs: [new Set()] } })).toMatch(/^the checkpoint's output of item 0 is a Set/);
  });

  it('checks a bare state as a user state', () => {
    expect(checkpointProblem('s')).toBeUndefined();
    expect(checkpointProblem({ step: 1n })).toMatch(/^checkpoint state at \.step is a BigInt/);
  });
});

describe('jsonValueProblem', () => {
  it('labels its message as asked', () => {
    expect(jsonValueProblem([new Map()], 'the thing')).toMatch(/^the thing at \[0\] is a Map/);
  });
});

describe('CheckpointStateError', () => {
  it('is recognised by name, across realms too', () => {
    expect(isCheckpointStateError(new CheckpointStateError('x'))).toBe(true);
    expect(isCheckpointStateError({ name: 'CheckpointStateError', message: 'x' })).toBe(true);
    expect(isCheckpointStateError(new TypeError('x'))).toBe(false);
  });
});
