import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/index.js';
import { createBlobReader } from './blob-reader.js';
import { MemoryBlobCache } from '../store/memory.js';
import type { BlobCache } from '../store/store.js';

const bytes = new TextEncoder().encode('some blob bytes');

function countingFetch(body: Uint8Array = bytes) {
  const urls: string[] = [];
  const fetch = (input: string | URL | Request) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return Promise.resolve(new Response(body.slice()));
  };
  return { urls, fetch };
}

describe('createBlobReader', () => {
  it('answers from the cache, else downloads, verifies and caches', async () => {
    const sha = await sha256Hex(bytes);
    const cache = new MemoryBlobCache();
    const { urls, fetch } = countingFetch();
    const readBlob = createBlobReader({ origin: 'http://h', token: 't', cache, fetch });
    expect(await readBlob(sha)).toEqual(bytes);
    expect(cache.keys()).toEqual([sha]);
    // Another reader over the same cache (another tab) downloads nothing.
    const again = createBlobReader({ origin: 'http://h', token: 't', cache, fetch });
    expect(await again(sha)).toEqual(bytes);
    expect(urls).toHaveLength(1);
  });

  it('shares one download between reads at once, and caches nothing that fails its hash', async () => {
    const sha = await sha256Hex(bytes);
    const cache = new MemoryBlobCache();
    const honest = countingFetch();
    const readBlob = createBlobReader({ origin: 'http://h', token: 't', cache, fetch: honest.fetch });
    expect(await Promise.all([readBlob(sha), readBlob(sha)])).toEqual([bytes, bytes]);
    expect(honest.urls).toHaveLength(1);

    const other = await sha256Hex('other');
    const lying = countingFetch(new TextEncoder().encode('not it'));
    const readLies = createBlobReader({ origin: 'http://h', token: 't', cache, fetch: lying.fetch });
    await expect(readLies(other)).rejects.toMatchObject({ name: 'BlobIntegrityError' });
    expect(cache.keys()).toEqual([sha]);
  });

  it('re-checks a cached copy on every read: a poisoned one is refused, downloaded again and replaced', async () => {
    const sha = await sha256Hex(bytes);
    const cache = new MemoryBlobCache();
    await cache.put(sha, new TextEncoder().encode('export default () => "poisoned"'));
    const { urls, fetch } = countingFetch();
    const problems: unknown[] = [];
    const readBlob = createBlobReader({ origin: 'http://h', token: 't', cache, fetch, onCacheError: (error) => problems.push(error) });
    expect(await readBlob(sha)).toEqual(bytes);
    expect(urls).toHaveLength(1);
    expect(problems).toEqual([expect.objectContaining({ name: 'BlobIntegrityError', message: expect.stringContaining('cached copy') as unknown })]);
    expect(await cache.get(sha)).toEqual(bytes);
  });

  it('still answers when the cache fails, and says so', async () => {
    const sha = await sha256Hex(bytes);
    const broken: BlobCache = {
      get: () => Promise.reject(new Error('cache gone')),
      put: () => Promise.reject(new Error('cache full')),
    };
    const problems: unknown[] = [];
    const readBlob = createBlobReader({ origin: 'http://h', token: 't', cache: broken, fetch: countingFetch().fetch, onCacheError: (error) => problems.push(error) });
    expect(await readBlob(sha)).toEqual(bytes);
    expect(problems.map((error) => (error as Error).message)).toEqual(['cache gone', 'cache full']);
  });
});
