import { describe, expect, it } from 'vitest';
import type { Timers } from '../timers.js';
import { fetchRetrying, retryAfterMs } from './download.js';

/** Timers on a clock of their own: each wait passes at once, and is recorded. */
function virtualTimers() {
  let now = 0;
  const waits: number[] = [];
  const timers: Timers = {
    setTimeout(callback, ms) {
      waits.push(ms);
      now += ms;
      return setImmediate(callback);
    },
    clearTimeout: () => {},
    setInterval: () => 0,
    clearInterval: () => {},
    now: () => now,
  };
  return { timers, waits, elapsed: () => now };
}

/** Answers each call with the next of `answers` (the last one again once they run out). */
function scripted(answers: (() => Response)[]) {
  let calls = 0;
  const fetchOnce = (): Promise<Response> => {
    const answer = answers[Math.min(calls, answers.length - 1)]!;
    calls += 1;
    return Promise.resolve().then(answer);
  };
  return { fetchOnce, calls: () => calls };
}

const unavailable = (retryAfter?: string) => () => new Response('no coordinator is ready', { status: 503, headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter } });
const ok = () => new Response('bytes');

describe('fetchRetrying', () => {
  it('waits out a failover: 503 answers with Retry-After are waited as asked, then the answer comes', async () => {
    const { timers, waits } = virtualTimers();
    const { fetchOnce, calls } = scripted([unavailable('1'), unavailable('1'), unavailable('2'), ok]);
    const response = await fetchRetrying(fetchOnce, 'blob x', { timers });
    expect(await response.text()).toBe('bytes');
    expect(calls()).toBe(4);
    expect(waits).toEqual([1000, 1000, 2000]);
  });

  it('tries network errors and 5xx answers again for retryForMs from the first failure, then fails with the last', async () => {
    const { timers, elapsed } = virtualTimers();
    const down = scripted([
      () => {
        throw new TypeError('fetch failed');
      },
      () => new Response('down', { status: 502 }),
    ]);
    const failed = fetchRetrying(down.fetchOnce, 'blob y', { timers, retryForMs: 20_000 });
    await expect(failed).rejects.toMatchObject({ name: 'BlobFetchError', status: 502, message: 'could not download blob y: HTTP 502' });
    expect(down.calls()).toBeGreaterThan(5);
    expect(elapsed()).toBeLessThanOrEqual(20_000);
    expect(elapsed()).toBeGreaterThan(10_000);
  });

  it('fails at once on a 4xx answer', async () => {
    const { timers, waits } = virtualTimers();
    const missing = scripted([() => new Response('no', { status: 404 }), ok]);
    await expect(fetchRetrying(missing.fetchOnce, 'blob z', { timers })).rejects.toMatchObject({ status: 404 });
    expect(missing.calls()).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, at most 5 s, and nothing from what it cannot read', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    expect(retryAfterMs('1', now)).toBe(1000);
    expect(retryAfterMs(' 3 ', now)).toBe(3000);
    expect(retryAfterMs('120', now)).toBe(5000);
    expect(retryAfterMs('Sun, 06 Dec 2026 10:00:02 GMT', now)).toBe(2000);
    expect(retryAfterMs('Sun, 06 Dec 2026 09:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
