import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../shared/index.js';
import { createCodeFetcher } from './code-fetcher.js';
import { blobUrl, workerSocketUrl } from './endpoints.js';

const source = 'export default (x) => x * x;';
const noWait = {
  setTimeout: (callback: () => void) => setImmediate(callback),
  clearTimeout: () => {},
  setInterval: () => 0,
  clearInterval: () => {},
  now: () => Date.now(),
};

/** A fetch that answers each call with the next of `answers` and records the URLs asked for. */
function scriptedFetch(answers: (() => Response)[]) {
  const urls: string[] = [];
  const fetch = (input: string | URL | Request) => {
    urls.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const answer = answers.shift();
    if (!answer) throw new Error('fetch called too often');
    return Promise.resolve().then(answer);
  };
  return { urls, fetch };
}

describe('createCodeFetcher', () => {
  it('downloads by hash with the token, checks the hash and downloads each blob once', async () => {
    const sha = await sha256Hex(source);
    const { urls, fetch } = scriptedFetch([() => new Response(source)]);
    const fetchCode = createCodeFetcher({ origin: 'http://127.0.0.1:9000', token: 'tok en', fetch });
    expect(await fetchCode(sha)).toBe(source);
    expect(await fetchCode(sha)).toBe(source);
    expect(urls).toEqual([`http://127.0.0.1:9000/api/v1/worker/blobs/${sha}?token=tok+en`]);
  });

  it('refuses bytes that do not match the hash', async () => {
    const sha = await sha256Hex(source);
    const { fetch } = scriptedFetch([() => new Response('export default () => "evil"')]);
    const fetchCode = createCodeFetcher({ origin: 'http://127.0.0.1:9000', token: 't', fetch });
    await expect(fetchCode(sha)).rejects.toMatchObject({ name: 'BlobIntegrityError' });
  });

  it('tries again after network errors and 5xx answers, not after a 404', async () => {
    const sha = await sha256Hex(source);
    const flaky = scriptedFetch([
      () => {
        throw new TypeError('fetch failed');
      },
      () => new Response('busy', { status: 503 }),
      () => new Response(source),
    ]);
    const fetchCode = createCodeFetcher({ origin: 'http://h', token: 't', fetch: flaky.fetch, timers: noWait });
    expect(await fetchCode(sha)).toBe(source);
    expect(flaky.urls).toHaveLength(3);

    const missing = scriptedFetch([() => new Response('no', { status: 404 }), () => new Response(source)]);
    const fetchMissing = createCodeFetcher({ origin: 'http://h', token: 't', fetch: missing.fetch, timers: noWait });
    const refused = fetchMissing(sha);
    await expect(refused).rejects.toThrow(/HTTP 404/);
    await expect(refused).rejects.toMatchObject({ name: 'BlobFetchError' });
    expect(missing.urls).toHaveLength(1);
    // A failure is not cached: the next lease with this code tries again.
    expect(await fetchMissing(sha)).toBe(source);
  });
});

describe('endpoints', () => {
  it('derives ws:// and wss:// socket URLs from the page origin', () => {
    expect(workerSocketUrl('http://127.0.0.1:8080', 'a&b')).toBe('ws://127.0.0.1:8080/api/v1/worker?token=a%26b');
    expect(workerSocketUrl('https://grid.example', 'x')).toBe('wss://grid.example/api/v1/worker?token=x');
    expect(blobUrl('https://grid.example', 'ab', 'x')).toBe('https://grid.example/api/v1/worker/blobs/ab?token=x');
  });
});
