import { describe, expect, it } from 'vitest';
import { matmulTuneKey } from './autotune.js';
import { readMatmulTunes, rememberMatmulTune, MATMUL_TUNES_ITEM, type TuneStorage } from './tune-cache.js';

const swiftshader = {
  vendor: 'google',
  architecture: 'swiftshader',
  description: 'Google SwiftShader',
  limits: { maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 256 },
};

/** localStorage's contract over a Map, for the pure cache rules (the page's real localStorage is tested in e2e). */
function memoryStorage(): TuneStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
}

describe('matmulTuneKey', () => {
  it('names the adapter and hashes its limits, whatever their order', () => {
    const key = matmulTuneKey(swiftshader);
    expect(key).toMatch(/^google\|swiftshader\|Google SwiftShader\|[0-9a-f]{8}$/);
    const reordered = { ...swiftshader, limits: { maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 32768 } };
    expect(matmulTuneKey(reordered)).toBe(key);
  });

  it('differs when a limit, the description or the adapter differs', () => {
    const key = matmulTuneKey(swiftshader);
    expect(matmulTuneKey({ ...swiftshader, limits: { ...swiftshader.limits, maxComputeWorkgroupStorageSize: 16384 } })).not.toBe(key);
    expect(matmulTuneKey({ ...swiftshader, description: 'Google SwiftShader 2' })).not.toBe(key);
    expect(matmulTuneKey({ ...swiftshader, vendor: 'nvidia', architecture: 'hopper' })).not.toBe(key);
  });
});

describe('the tune cache', () => {
  it('stores a tune per adapter key and reads it back', () => {
    const storage = memoryStorage();
    expect(readMatmulTunes(storage)).toEqual({});
    rememberMatmulTune(storage, 'a', 'direct');
    rememberMatmulTune(storage, 'b', 'register-128x128-8x8-k8');
    rememberMatmulTune(storage, 'a', 'direct+subgroups');
    expect(readMatmulTunes(storage)).toEqual({ a: 'direct+subgroups', b: 'register-128x128-8x8-k8' });
  });

  it('keeps the 8 newest adapters', () => {
    const storage = memoryStorage();
    for (let i = 0; i < 10; i++) rememberMatmulTune(storage, `adapter ${i}`, 'direct');
    expect(Object.keys(readMatmulTunes(storage))).toEqual(Array.from({ length: 8 }, (_, i) => `adapter ${i + 2}`));
  });

  it('reads a malformed item, or no storage, as no tunes, and survives a storage that refuses', () => {
    const storage = memoryStorage();
    storage.items.set(MATMUL_TUNES_ITEM, '{"a": 3}');
    expect(readMatmulTunes(storage)).toEqual({});
    storage.items.set(MATMUL_TUNES_ITEM, 'not json');
    expect(readMatmulTunes(storage)).toEqual({});
    expect(readMatmulTunes(undefined)).toEqual({});
    const full: TuneStorage = { getItem: () => null, setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); } };
    expect(() => rememberMatmulTune(full, 'a', 'direct')).not.toThrow();
  });
});
