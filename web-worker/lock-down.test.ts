import { describe, expect, it } from 'vitest';
import { lockDown } from './lock-down.js';

class Base {
  get indexedDB(): string {
    return 'the page store';
  }
}

describe('lockDown', () => {
  it('removes the names from the scope, its prototypes and its navigator', () => {
    const navigator = Object.create({ locks: 'page locks', gpu: 'kept' }) as object;
    Object.defineProperty(navigator, 'storage', { value: 'opfs', configurable: true });
    const scope = Object.assign(Object.create(Base.prototype) as object, { caches: 'cache', navigator, fetch: 'kept' });
    lockDown(scope);
    expect('indexedDB' in scope).toBe(false);
    expect('caches' in scope).toBe(false);
    expect('locks' in navigator).toBe(false);
    expect('storage' in navigator).toBe(false);
    expect((navigator as { gpu?: string }).gpu).toBe('kept');
    expect((scope as { fetch?: string }).fetch).toBe('kept');
    expect('indexedDB' in new Base()).toBe(false);
  });

  it('refuses, naming it, what it cannot remove', () => {
    const scope = {};
    Object.defineProperty(scope, 'indexedDB', { value: 'stuck', configurable: false });
    expect(() => lockDown(scope)).toThrow("could not take 'indexedDB' away");
  });
});
