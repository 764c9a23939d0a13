import type { Tensor } from './tensor.js';

/**
 * Nested sets of tensors made while a `TensorCore.scope` callback runs: on leaving, all but the
 * returned tensors are disposed, and those move to the enclosing scope.
 * @example const kept = scopes.run(() => { const t = make(); scopes.track(t); return t; });
 */
export class Scopes {
  readonly #stack: Tensor[][] = [];

  track(tensor: Tensor): void {
    this.#stack[this.#stack.length - 1]?.push(tensor);
  }

  run<T>(fn: () => T): T {
    const made: Tensor[] = [];
    this.#stack.push(made);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.#stack.pop();
      for (const tensor of made) tensor.dispose();
      throw error;
    }
    this.#stack.pop();
    if (result instanceof Promise) {
      for (const tensor of made) tensor.dispose();
      throw new TypeError('scope: the callback returned a promise; scopes take synchronous callbacks (ops never await)');
    }
    const kept = new Set(tensorsIn(result));
    for (const tensor of made) {
      if (kept.has(tensor)) this.track(tensor);
      else tensor.dispose();
    }
    return result;
  }
}

function tensorsIn(value: unknown, seen = new Set<unknown>()): Tensor[] {
  if (isTensor(value)) return [value];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  return Object.values(value).flatMap((inner) => tensorsIn(inner, seen));
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && 'storage' in value && 'shape' in value && typeof (value as Tensor).dispose === 'function';
}
