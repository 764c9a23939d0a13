import { describe, expect, test } from 'vitest';
import { isFunctionExpressionSource, taskModuleSource } from './task-module.js';
import type { AnyFunction } from './task-module.js';

/** Imports module source the way a tab does, and returns its default export. */
async function importDefault(source: string): Promise<(item: unknown, ctx?: unknown) => unknown> {
  const url = `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
  const module = (await import(url)) as { default: (item: unknown, ctx?: unknown) => unknown };
  return module.default;
}

describe('taskModuleSource', () => {
  test('wraps the function source as the default export', () => {
    const source = taskModuleSource((x: number) => x * x);
    expect(source).toContain('export default ((x) => x * x);');
  });

  test.each<[string, AnyFunction, unknown]>([
    ['arrow', (x: number) => x * x, 49],
    // Compilers add parentheses to `x => x + 1`; give it the source a plain JS file would have.
    ['arrow with a single bare parameter', Object.assign(() => 0, { toString: () => 'x => x + 1' }), 8],
    ['async arrow', async (x: number) => Promise.resolve(x * 2), 14],
    [
      'function expression',
      function (x: number) {
        return x - 1;
      },
      6,
    ],
    [
      'named async function',
      async function triple(x: number) {
        return Promise.resolve(x * 3);
      },
      21,
    ],
    [
      'function with inner helpers and default parameters',
      (x: number, _ctx: unknown = { note: ')' }) => {
        function cube(y: number): number {
          return y ** 3;
        }
        return cube(x);
      },
      343,
    ],
  ])('the module of a %s evaluates and computes', async (_kind, fn, expected) => {
    const run = await importDefault(taskModuleSource(fn));
    expect(await run(7)).toBe(expected);
  });

  test('a function that uses ctx gets it as its second argument', async () => {
    const run = await importDefault(taskModuleSource((x: number, ctx: { scale: number }) => x * ctx.scale));
    expect(await run(3, { scale: 10 })).toBe(30);
  });

  test('method shorthand throws a clear error', () => {
    const shorthand = {
      square(this: void, x: number) {
        return x * x;
      },
    };
    expect(() => taskModuleSource(shorthand.square)).toThrow(/`square\(x\) {` is method shorthand.*arrow function/s);
  });

  test('async and generator method shorthand throw too', () => {
    const methods = {
      async fetchIt(this: void, x: number) {
        return Promise.resolve(x);
      },
      *count(this: void, x: number) {
        yield x;
      },
    };
    expect(() => taskModuleSource(methods.fetchIt)).toThrow(/method shorthand/);
    expect(() => taskModuleSource(methods.count)).toThrow(/method shorthand/);
  });

  test('built-in and bound functions have no source to send', () => {
    expect(() => taskModuleSource(Math.max)).toThrow(/no source to send/);
    expect(() => taskModuleSource(((x: number) => x).bind(null))).toThrow(/no source to send/);
  });

  test('a class is refused', () => {
    class Square {}
    expect(() => taskModuleSource(Square as unknown as AnyFunction)).toThrow(/class/);
  });
});

describe('isFunctionExpressionSource', () => {
  test.each([
    ['(x) => x', true],
    ['x => x', true],
    ['async x => x', true],
    ['async (x) => x', true],
    ['async(x, y = ")") => x', true],
    ['async => 1', true],
    ['function (x) { return x }', true],
    ['function* gen() {}', true],
    ['async function f() {}', true],
    ['async(x) { return x }', false],
    ['square(x) { return x * x }', false],
    ['async square(x) { return x }', false],
    ['get value() { return 1 }', false],
    ['*gen() {}', false],
    ['[key](x) { return x }', false],
    ["'quoted name'(x) { return x }", false],
  ])('%s → %s', (source, expected) => {
    expect(isFunctionExpressionSource(source)).toBe(expected);
  });
});
