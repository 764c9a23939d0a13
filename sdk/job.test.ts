import { describe, expect, test } from 'vitest';
import type { JobEvent, LogEntry } from '../shared/index.js';
import { Tabgrid } from './client.js';
import { JobRejectedError, isHTTPError, isJobRejectedError, isNetworkError, isTabgridError } from './errors.js';
import type { FetchFunction } from './rest.js';
import { createFakeCoordinator } from './testing/fake-coordinator.js';
import type { FakeCoordinator, FakeCoordinatorOptions } from './testing/fake-coordinator.js';

const code = 'export default (x) => x * x';
const spec = { name: 'squares', code, input: { items: [1, 2, 3] } };

function setup(options: FakeCoordinatorOptions = {}, wrap?: (fetch: FetchFunction) => FetchFunction): { fake: FakeCoordinator; grid: Tabgrid } {
  const fake = createFakeCoordinator(options);
  const fetch = wrap ? wrap(fake.fetch) : fake.fetch;
  return { fake, grid: new Tabgrid({ url: 'http://fake', token: 'secret', fetch, pollIntervalMs: 1 }) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

const transitions = (events: readonly JobEvent[]): string[] => events.map((event) => `${event.from ?? '-'}>${event.to}`);
const tick = (ms = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('submit: idempotency and rejection', () => {
  test('the same idempotencyKey returns the job made the first time, marked existing', async () => {
    const { fake, grid } = setup();
    const first = await grid.submit({ ...spec, idempotencyKey: 'nightly-2030-01-01' });
    const again = await grid.submit({ ...spec, idempotencyKey: 'nightly-2030-01-01' });
    expect([first.id, first.existing]).toEqual(['job-1', false]);
    expect([again.id, again.existing]).toEqual(['job-1', true]);
    expect(fake.jobs.size).toBe(1);
  });

  test('a full queue (429) rejects with JobRejectedError; the job exists as REJECTED', async () => {
    const { grid } = setup({ maxQueuedJobs: 1 });
    await grid.submit(spec);
    const error = await rejection(grid.submit(spec));
    expect(error).toBeInstanceOf(JobRejectedError);
    expect(isJobRejectedError(error) && isTabgridError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'JobRejectedError',
      jobId: 'job-2',
      status: 429,
      reason: '1 jobs are queued or running, the limit is 1',
      message: 'job job-2 was rejected: 1 jobs are queued or running, the limit is 1',
    });
    expect(isHTTPError((error as Error).cause)).toBe(true);
    const status = await grid.job('job-2').status();
    expect(status).toMatchObject({ state: 'REJECTED', error: { message: '1 jobs are queued or running, the limit is 1' } });
    expect(transitions(await grid.job('job-2').events())).toEqual(['->REJECTED']);
  });

  test('a spec over maxSpecBytes (413) rejects with JobRejectedError', async () => {
    const { grid } = setup({ maxSpecBytes: 100 });
    const error = await rejection(grid.submit({ ...spec, input: { items: Array.from({ length: 50 }, (_, index) => index) } }));
    expect(error).toMatchObject({ name: 'JobRejectedError', status: 413, jobId: 'job-1' });
    expect((error as JobRejectedError).reason).toMatch(/^spec of \d+ bytes is over the limit of 100$/);
  });

  test('a 413 that is not a job (the body limit) stays an HTTPError', async () => {
    const tooLarge = Response.json({ error: { code: 'too_large', message: 'body is over the limit of 10 bytes' } }, { status: 413 });
    const grid = new Tabgrid({ url: 'http://x', token: 't', fetch: () => tooLarge });
    const error = await rejection(grid.submit(spec));
    expect(error).toMatchObject({ name: 'HTTPError', status: 413, code: 'too_large' });
  });
});

describe('pause and resume', () => {
  test('pause stops a PENDING job with a waiting reason; resume lets it go on; wrong states are 409', async () => {
    const { grid } = setup();
    const job = await grid.submit(spec);
    const paused = await job.pause();
    expect(paused).toMatchObject({ state: 'PAUSED', waitingReason: expect.stringMatching(/^paused/) as string });
    await expect(job.pause()).rejects.toMatchObject({ name: 'HTTPError', status: 409 });
    const resumed = await job.resume();
    expect(resumed.state).toBe('PENDING');
    expect(resumed.waitingReason).toBeUndefined();
    await expect(job.resume()).rejects.toMatchObject({ name: 'HTTPError', status: 409 });
    expect(transitions(await job.events())).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>PAUSED', 'PAUSED>PENDING']);
  });

  test('runMode paused waits for resume, then runs', async () => {
    const { grid } = setup({ runJobs: true });
    const job = await grid.submit({ ...spec, runMode: 'paused' });
    expect(await job.status()).toMatchObject({ state: 'PAUSED', runMode: 'paused' });
    await job.resume();
    expect((await job.wait()).state).toBe('COMPLETED');
  });
});

describe('events and followEvents', () => {
  test('followEvents yields the backlog, then each change as it happens, and ends with the job', async () => {
    const { fake, grid } = setup({ sseChunkBytes: 3 });
    const job = await grid.submit(spec);
    const seen: JobEvent[] = [];
    const following = (async () => {
      for await (const event of job.followEvents()) seen.push(event);
    })();
    await tick();
    expect(transitions(seen)).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING']);
    fake.transition(job.id, 'RUNNING', 'a worker took task 0');
    await tick();
    expect(seen.at(-1)).toMatchObject({ from: 'PENDING', to: 'RUNNING', reason: 'a worker took task 0' });
    fake.transition(job.id, 'COMPLETED', 'all tasks done');
    await following;
    expect(transitions(seen)).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>RUNNING', 'RUNNING>COMPLETED']);
  });

  test('a stream that breaks off is reopened, without repeating what was seen', async () => {
    let cut = false;
    const { fake, grid } = setup({}, (fetch) => async (input, init) => {
      const response = await fetch(input, init);
      if (cut || !input.includes('/events?follow=1')) return response;
      cut = true;
      // Only the first event gets through before the connection drops.
      const first = (await response.text()).split('\n\n').find((block) => block.startsWith('event: state')) ?? '';
      return new Response(`${first}\n\n`, { headers: { 'content-type': 'text/event-stream' } });
    });
    const job = await grid.submit(spec);
    fake.transition(job.id, 'CANCELLED', 'cancelled');
    expect(transitions(await collect(job.followEvents()))).toEqual(['->SUBMITTED', 'SUBMITTED>PENDING', 'PENDING>CANCELLED']);
    expect(fake.requests.filter((request) => request.path.endsWith('/events'))).toHaveLength(2);
  });

  test('a stream that fails mid-read, then a 503, are ridden out too', async () => {
    let calls = 0;
    const { fake, grid } = setup({}, (fetch) => async (input, init) => {
      if (!input.includes('/logs?follow=1')) return fetch(input, init);
      calls += 1;
      if (calls === 2) return new Response('restarting', { status: 503 });
      const response = await fetch(input, init);
      if (calls > 2) return response;
      const reader = response.body!.getReader();
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) controller.error(new TypeError('terminated'));
          else controller.enqueue(value);
          if (new TextDecoder().decode(value).includes('one')) controller.error(new TypeError('terminated'));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    });
    const job = await grid.submit(spec);
    fake.log(job.id, 'one');
    fake.log(job.id, 'two');
    fake.transition(job.id, 'COMPLETED', 'done');
    expect((await collect(job.followLogs({ maxOutageMs: 5_000 }))).map((entry) => entry.message)).toEqual(['one', 'two']);
    expect(calls).toBe(3);
  });

  test('aborting the signal stops following with its reason', async () => {
    const { grid } = setup();
    const job = await grid.submit(spec);
    const controller = new AbortController();
    const reason = new Error('enough');
    setTimeout(() => controller.abort(reason), 10);
    expect(await rejection(collect(job.followEvents({ signal: controller.signal })))).toBe(reason);
  });

  test('an unknown job is the 404, a coordinator that never answered a NetworkError, at once', async () => {
    const { grid } = setup();
    await expect(collect(grid.job('nope').followEvents())).rejects.toMatchObject({ name: 'HTTPError', status: 404 });
    const down = new Tabgrid({ url: 'http://down', token: 't', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    expect(isNetworkError(await rejection(collect(down.job('j').followEvents())))).toBe(true);
  });
});

describe('followLogs', () => {
  test('yields each log line as the tasks write it, and ends when the job ends', async () => {
    const { grid } = setup({ runJobs: true, sseChunkBytes: 4 });
    const job = await grid.submit({
      name: 'chatty',
      code: 'export default async (x, ctx) => { ctx.log("item", x, "é"); await new Promise((r) => setTimeout(r, 2)); return x; }',
      input: { items: [1, 2, 3] },
    });
    const lines: LogEntry[] = await collect(job.followLogs());
    expect(lines.map((entry) => entry.message)).toEqual(['item 1 é', 'item 2 é', 'item 3 é']);
    expect((await job.status()).state).toBe('COMPLETED');
  });

  test('a job that has ended gives its whole log and stops', async () => {
    const { fake, grid } = setup();
    const job = await grid.submit(spec);
    fake.log(job.id, 'one');
    fake.log(job.id, 'two', 'warn');
    fake.transition(job.id, 'FAILED', 'boom');
    expect((await collect(job.followLogs())).map((entry) => `${entry.level} ${entry.message}`)).toEqual(['info one', 'warn two']);
  });
});

describe('result', () => {
  test('a range job with a reduce step resolves the reduced result', async () => {
    const { grid } = setup({ runJobs: true });
    const job = await grid.submit({
      name: 'sum of ranges',
      code: 'export default ({ start, end }) => { let s = 0; for (let i = start; i < end; i++) s += i; return s; }',
      input: { range: { start: 0, end: 100 }, chunks: 7 },
      reduce: 'export default (outputs) => outputs.reduce((a, b) => a + b, 0)',
    });
    expect((await job.wait()).progress).toMatchObject({ total: 8, done: 8 });
    expect(await job.result()).toBe(4950);
  });

  test('404 without a reduce step, 409 before the job completed', async () => {
    const { grid } = setup();
    const plain = await grid.submit(spec);
    await expect(plain.result()).rejects.toMatchObject({ name: 'HTTPError', status: 404 });
    const reduced = await grid.submit({ ...spec, reduce: 'export default (o) => o.length' });
    await expect(reduced.result()).rejects.toMatchObject({ name: 'HTTPError', status: 409 });
  });
});

describe('wait through a coordinator restart', () => {
  /** Fails requests number `from` to `to` (1-based, counting every request) like a coordinator that is down. */
  function outage(from: number, to: number, failure: () => Response | Promise<Response>): (fetch: FetchFunction) => FetchFunction {
    let count = 0;
    return (fetch) => (input, init) => {
      count += 1;
      return count >= from && count <= to ? failure() : fetch(input, init);
    };
  }

  test('network errors and 5xx while polling are retried until the coordinator is back', async () => {
    let failures = 0;
    const { fake, grid } = setup(
      {},
      outage(3, 8, () => {
        failures += 1;
        return failures % 2 === 0 ? new Response('restarting', { status: 503 }) : Promise.reject(new TypeError('fetch failed'));
      }),
    );
    const job = await grid.submit(spec);
    fake.jobs.get(job.id)!.upcomingStates = ['PENDING'];
    setTimeout(() => fake.transition(job.id, 'COMPLETED', 'done'), 20);
    expect((await job.wait({ timeoutMs: 5_000 })).state).toBe('COMPLETED');
    expect(failures).toBe(6);
  });

  test('an outage longer than maxOutageMs rejects with the last error', async () => {
    const { grid } = setup({}, outage(3, Infinity, () => Promise.reject(new TypeError('fetch failed'))));
    const job = await grid.submit(spec);
    const error = await rejection(job.wait({ maxOutageMs: 20 }));
    expect(isNetworkError(error)).toBe(true);
  });

  test('the deadline still wins during an outage', async () => {
    const { grid } = setup({}, outage(3, Infinity, () => new Response('down', { status: 502 })));
    const job = await grid.submit(spec);
    await expect(job.wait({ timeoutMs: 30 })).rejects.toMatchObject({ name: 'TimeoutError', timeoutMs: 30 });
  });

  test('a coordinator that never answered is no outage: it rejects at once', async () => {
    const down = new Tabgrid({ url: 'http://down', token: 't', fetch: () => Promise.reject(new TypeError('fetch failed')) });
    await expect(down.job('j').wait()).rejects.toMatchObject({ name: 'NetworkError' });
  });

  test('a 4xx is no outage: it rejects at once', async () => {
    const { grid } = setup({}, outage(3, Infinity, () => Response.json({ error: { code: 'unauthorized', message: 'no' } }, { status: 401 })));
    const job = await grid.submit(spec);
    await expect(job.wait()).rejects.toMatchObject({ name: 'HTTPError', status: 401 });
  });
});

describe('metrics', () => {
  test('returns the Prometheus text', async () => {
    const { grid } = setup();
    expect(await grid.metrics()).toContain('tabgrid_workers 1');
  });
});
