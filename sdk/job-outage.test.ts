import { describe, expect, test } from 'vitest';
import { Tabgrid } from './client.js';
import { isNetworkError } from './errors.js';
import type { FetchFunction } from './rest.js';
import { EVENTUALLY, answeredPolls, rejection, sentSpecs, useRealGrids, type FetchWrapper } from './test-support.js';

// Job.wait() while the coordinator is away: the real coordinator is stopped and started again on
// its data folder and port. A 5xx is what a proxy answers meanwhile, not the coordinator: that
// one is staged by a wrapped fetch, beside the real restart.

const spec = { name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2, 3] } };
const { start, stop, restart, addWorker } = useRealGrids();

/** Counts the requests that got no answer at all. */
function countingFailures(): { failures: () => number; wrap: FetchWrapper } {
  let failures = 0;
  return {
    failures: () => failures,
    wrap: (fetch) => (input, init) =>
      Promise.resolve(fetch(input, init)).catch((error: unknown) => {
        failures += 1;
        throw error;
      }),
  };
}

describe('wait through a coordinator restart', () => {
  test('polling rides out a coordinator that is down, and resolves when the job completes after its restart', async () => {
    const real = await start();
    const counted = countingFailures();
    const job = await real.client({ wrap: counted.wrap }).submit(spec);
    const waiting = job.wait({ timeoutMs: 15_000 });
    await expect.poll(() => answeredPolls(real.sent, job.id), EVENTUALLY).toBeGreaterThan(0);
    await stop(real);
    await expect.poll(counted.failures, EVENTUALLY).toBeGreaterThan(1);
    await restart(real);
    await addWorker(real);
    expect((await waiting).state).toBe('COMPLETED');
  });

  test('5xx answers while polling are retried as well', async () => {
    const real = await start();
    let count = 0;
    let failures = 0;
    // Requests 3 to 8 (after the submit and the first poll) fail, as through a proxy while the coordinator restarts.
    const outage: FetchWrapper = (fetch: FetchFunction) => (input, init) => {
      count += 1;
      if (count < 3 || count > 8) return fetch(input, init);
      failures += 1;
      return failures % 2 === 0 ? new Response('restarting', { status: 503 }) : Promise.reject(new TypeError('fetch failed'));
    };
    const job = await real.client({ wrap: outage }).submit({ ...spec, runMode: 'paused' });
    const waiting = job.wait({ timeoutMs: 15_000 });
    await expect.poll(() => failures, EVENTUALLY).toBe(6);
    await real.grid.job(job.id).cancel();
    await expect(waiting).rejects.toMatchObject({ name: 'JobFailedError', state: 'CANCELLED' });
    expect(answeredPolls(real.sent, job.id)).toBeGreaterThan(1);
  });

  test('an outage longer than maxOutageMs rejects with the last error', async () => {
    const real = await start();
    const job = await real.grid.submit(spec);
    const waiting = rejection(job.wait({ maxOutageMs: 100 }));
    await expect.poll(() => answeredPolls(real.sent, job.id), EVENTUALLY).toBeGreaterThan(0);
    await stop(real);
    expect(isNetworkError(await waiting)).toBe(true);
  });

  test('the deadline still wins during an outage', async () => {
    const real = await start();
    const counted = countingFailures();
    const job = await real.client({ wrap: counted.wrap }).submit(spec);
    const waiting = rejection(job.wait({ timeoutMs: 3_000 }));
    await expect.poll(() => answeredPolls(real.sent, job.id), EVENTUALLY).toBeGreaterThan(0);
    await stop(real);
    expect(await waiting).toMatchObject({ name: 'TimeoutError', timeoutMs: 3_000 });
    expect(counted.failures()).toBeGreaterThan(0);
  });

  test('a coordinator that never answered is no outage: it rejects at once', async () => {
    const down = new Tabgrid({ url: 'http://127.0.0.1:1', token: 't' });
    await expect(down.job('j').wait()).rejects.toMatchObject({ name: 'NetworkError' });
  });

  test('a 503 before any answer is an outage too (a load balancer with no coordinator ready, a standby): it waits', async () => {
    const real = await start();
    let unavailable = 2;
    // The first two status reads meet a balancer that has no coordinator ready yet.
    const balancer: FetchWrapper = (fetch: FetchFunction) => (input, init) => {
      if (String(input).endsWith('/api/v1/jobs') || unavailable === 0) return fetch(input, init);
      unavailable -= 1;
      return new Response('no coordinator is ready', { status: 503, headers: { 'retry-after': '1' } });
    };
    const job = await real.client({ wrap: balancer }).submit(spec);
    const waiting = job.wait({ timeoutMs: 15_000 });
    await addWorker(real);
    expect((await waiting).state).toBe('COMPLETED');
    expect(unavailable).toBe(0);
  });

  test('a 4xx is no outage: it rejects at once', async () => {
    const real = await start();
    const job = await real.grid.submit(spec);
    const waiting = rejection(job.wait());
    await expect.poll(() => answeredPolls(real.sent, job.id), EVENTUALLY).toBeGreaterThan(0);
    // Back with another admin token: the client's token is now refused.
    await restart(real, { adminToken: 'rotated' });
    expect(await waiting).toMatchObject({ name: 'HTTPError', status: 401, code: 'unauthorized' });
  });
});

describe('submit through an outage', () => {
  test('a submit answered 502 or 503 by a balancer is tried again under one idempotency key, and makes one job', async () => {
    const real = await start();
    let failing = 2;
    // The first try reaches the coordinator but its answer is lost (the balancer answers 502);
    // the second meets no coordinator ready (503).
    const balancer: FetchWrapper = (fetch: FetchFunction) => async (input, init) => {
      if (!String(input).endsWith('/api/v1/jobs') || failing === 0) return fetch(input, init);
      failing -= 1;
      if (failing === 1) {
        await (await fetch(input, init)).body?.cancel();
        return new Response('', { status: 502 });
      }
      return new Response('no coordinator is ready', { status: 503, headers: { 'retry-after': '1' } });
    };
    const job = await real.client({ wrap: balancer }).submit(spec);
    expect(failing).toBe(0);
    expect(job.existing).toBe(false);
    // The tries that reached the coordinator (the 503 was the balancer's own): the first made the job.
    const keys = sentSpecs(real.sent).map((sent) => (sent as { idempotencyKey?: string }).idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^sdk-/);
    expect((await real.grid.jobs()).map((listed) => listed.id)).toEqual([job.id]);
  });

  test('a submit that cannot reach anything, or is refused, rejects at once', async () => {
    const down = new Tabgrid({ url: 'http://127.0.0.1:1', token: 't' });
    await expect(down.submit(spec)).rejects.toMatchObject({ name: 'NetworkError' });
    const real = await start();
    await expect(real.client().submit({ ...spec, dependsOn: ['job_nothere'] })).rejects.toMatchObject({ name: 'HTTPError' });
  });
});
