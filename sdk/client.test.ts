import { describe, expect, test } from 'vitest';
import { sha256Hex } from '../shared/index.js';
import { Tabgrid } from './client.js';
import {
  HTTPError,
  JobFailedError,
  isHTTPError,
  isJobFailedError,
  isNetworkError,
  isResponseError,
  isSpecError,
  isTabgridError,
  isTimeoutError,
} from './errors.js';
import { createFakeCoordinator } from './testing/fake-coordinator.js';
import type { FakeCoordinator } from './testing/fake-coordinator.js';

const code = 'export default (x) => x * x';

function setup(options: { runJobs?: boolean } = {}): { fake: FakeCoordinator; grid: Tabgrid } {
  const fake = createFakeCoordinator(options);
  const grid = new Tabgrid({ url: 'http://fake/', token: 'secret', fetch: fake.fetch, pollIntervalMs: 1 });
  return { fake, grid };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('Tabgrid options', () => {
  test('a URL that is not http(s) and a missing token are refused', () => {
    expect(() => new Tabgrid({ url: '127.0.0.1:8080', token: 't' })).toThrow(/url must start with http/);
    expect(() => new Tabgrid({ url: 'http://x', token: '' })).toThrow(/token is required/);
  });
});

describe('submit', () => {
  test('validates, sends the spec with the bearer token, and returns the job', async () => {
    const { fake, grid } = setup();
    const job = await grid.submit({ name: 'squares', code, input: { items: [1, 2, 3], chunkSize: 2 } });
    expect(job.id).toBe('job-1');
    expect(fake.requests[0]).toEqual({ method: 'POST', path: '/api/v1/jobs', authorization: 'Bearer secret' });
    expect(fake.jobs.get('job-1')?.spec).toMatchObject({ name: 'squares', priority: 0, retry: { maxAttempts: 3 } });
  });

  test('an invalid spec throws SpecError naming the fields, and nothing is sent', async () => {
    const { fake, grid } = setup();
    const error = await rejection(grid.submit({ name: 'bad', code: '', input: { items: [], chunkSize: 0 } }));
    expect(isSpecError(error)).toBe(true);
    if (!isSpecError(error)) return;
    expect(error.issues.map((issue) => issue.path)).toEqual(['code', 'input.items', 'input.chunkSize']);
    expect(error.message).toMatch(/^invalid job spec: code: code must not be empty; input\.items: items must not be empty/);
    expect(fake.requests).toEqual([]);
  });

  test('unknown fields are refused before sending', async () => {
    const { grid } = setup();
    const spec = { name: 'x', code, input: { items: [1] }, colour: 'red' };
    await expect(grid.submit(spec as Parameters<Tabgrid['submit']>[0])).rejects.toThrow(/colour/);
  });
});

describe('error mapping', () => {
  test('an error status becomes HTTPError with code, message and details from the body', async () => {
    const { grid } = setup();
    const error = await rejection(grid.job('missing').status());
    expect(error).toBeInstanceOf(HTTPError);
    expect(error).toMatchObject({ name: 'HTTPError', status: 404, code: 'NOT_FOUND', message: 'no job missing', method: 'GET' });
  });

  test('a 400 keeps the field list in details', async () => {
    const fake = createFakeCoordinator();
    const grid = new Tabgrid({
      url: 'http://fake',
      token: 'secret',
      fetch: (input, init) => fake.fetch(input, { ...init, body: '{"name":""}' }),
    });
    const error = await rejection(grid.submit({ name: 'ok', code, input: { items: [1] } }));
    expect(isHTTPError(error) && error.status).toBe(400);
    expect(isHTTPError(error) && error.details).toEqual(expect.arrayContaining([{ path: 'name', message: expect.any(String) as string }]));
  });

  test('a wrong token is a 401 HTTPError', async () => {
    const fake = createFakeCoordinator();
    const grid = new Tabgrid({ url: 'http://fake', token: 'wrong', fetch: fake.fetch });
    await expect(grid.jobs()).rejects.toMatchObject({ name: 'HTTPError', status: 401, code: 'UNAUTHORIZED' });
  });

  test('an error body that is not an ErrorBody still gives an HTTPError', async () => {
    const grid = new Tabgrid({
      url: 'http://proxy',
      token: 't',
      fetch: () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    const error = await rejection(grid.stats());
    expect(error).toMatchObject({ status: 502, code: 'HTTP_502', message: 'GET http://proxy/api/v1/stats failed with 502 Bad Gateway' });
  });

  test('a fetch that rejects becomes NetworkError with the cause', async () => {
    const cause = new TypeError('fetch failed');
    const grid = new Tabgrid({ url: 'http://down', token: 't', fetch: () => Promise.reject(cause) });
    const error = await rejection(grid.jobs());
    expect(isNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ url: 'http://down/api/v1/jobs', cause });
  });

  test('a coordinator that is not listening gives NetworkError with the reason', async () => {
    const grid = new Tabgrid({ url: 'http://127.0.0.1:1', token: 't' });
    const error = await rejection(grid.health());
    expect(isNetworkError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/api\/v1\/health/);
  });

  test('a 2xx answer of the wrong shape is a ResponseError', async () => {
    const grid = new Tabgrid({ url: 'http://odd', token: 't', fetch: () => Response.json({ jobs: 'none' }) });
    const error = await rejection(grid.jobs());
    expect(isResponseError(error)).toBe(true);
    expect(isTabgridError(error)).toBe(true);
  });
});

describe('Job.wait', () => {
  test('polls until COMPLETED and resolves the final status', async () => {
    const { fake, grid } = setup();
    const job = await grid.submit({ name: 'w', code, input: { items: [1] } });
    const fakeJob = fake.jobs.get(job.id)!;
    fakeJob.upcomingStates = ['PENDING', 'RUNNING', 'RUNNING'];
    fakeJob.status = { ...fakeJob.status, state: 'COMPLETED' };
    const final = await job.wait();
    expect(final.state).toBe('COMPLETED');
    expect(fake.requests.filter((request) => request.path === `/api/v1/jobs/${job.id}`)).toHaveLength(4);
  });

  test('a FAILED job rejects with JobFailedError carrying the task message', async () => {
    const { fake, grid } = setup();
    const job = await grid.submit({ name: 'w', code, input: { items: [1] } });
    const fakeJob = fake.jobs.get(job.id)!;
    fakeJob.status = { ...fakeJob.status, state: 'FAILED', error: { message: 'boom', taskIndex: 0 } };
    const error = await rejection(job.wait());
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ message: 'boom', jobId: job.id, state: 'FAILED', taskIndex: 0 });
  });

  test('a CANCELLED job rejects with JobFailedError in state CANCELLED', async () => {
    const { grid } = setup();
    const job = await grid.submit({ name: 'w', code, input: { items: [1] } });
    await job.cancel();
    await expect(job.wait()).rejects.toMatchObject({ name: 'JobFailedError', state: 'CANCELLED', message: 'job job-1 was cancelled' });
  });

  test('gives up with TimeoutError after timeoutMs', async () => {
    const { grid } = setup();
    const job = await grid.submit({ name: 'w', code, input: { items: [1] } });
    const error = await rejection(job.wait({ timeoutMs: 30 }));
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ timeoutMs: 30, message: 'job job-1 did not end within 30 ms' });
  });

  test('stops with the reason when its signal aborts', async () => {
    const { grid } = setup();
    const job = await grid.submit({ name: 'w', code, input: { items: [1] } });
    const controller = new AbortController();
    const reason = new Error('stop waiting');
    setTimeout(() => controller.abort(reason), 10);
    expect(await rejection(job.wait({ signal: controller.signal, timeoutMs: 10_000 }))).toBe(reason);
  });

  test('an unknown job rejects with the 404 HTTPError', async () => {
    const { grid } = setup();
    await expect(grid.job('nope').wait()).rejects.toMatchObject({ name: 'HTTPError', status: 404 });
  });
});

describe('Job reads', () => {
  test('results() streams the NDJSON lines in order', async () => {
    const { fake, grid } = setup();
    const job = await grid.submit({ name: 'r', code, input: { items: [1, 2, 3] } });
    fake.jobs.get(job.id)!.results = [
      { index: 0, output: 'é' },
      { index: 1, output: { nested: [1, 2] } },
      { index: 2, output: null },
    ];
    const results = [];
    for await (const result of job.results()) results.push(result);
    expect(results).toEqual([
      { index: 0, output: 'é' },
      { index: 1, output: { nested: [1, 2] } },
      { index: 2, output: null },
    ]);
  });

  test('tasks(), logs() and cancel()', async () => {
    const { fake, grid } = setup();
    const job = await grid.submit({ name: 'r', code, input: { items: [1] } });
    const fakeJob = fake.jobs.get(job.id)!;
    const task = { index: 0, state: 'ready', firstItem: 0, itemCount: 1, attempts: 0, failures: 0, lapses: 0, workerId: null, error: null } as const;
    fakeJob.tasks = [task];
    fakeJob.logs = [{ time: '2025-01-01T00:00:00.000Z', level: 'info', taskIndex: 0, workerId: 'w1', message: 'hi' }];
    expect(await job.tasks()).toEqual([task]);
    const logs = [];
    for await (const entry of job.logs()) logs.push(entry.message);
    expect(logs).toEqual(['hi']);
    expect((await job.cancel()).state).toBe('CANCELLED');
    await expect(job.cancel()).rejects.toMatchObject({ name: 'HTTPError', status: 409 });
  });
});

describe('grid reads', () => {
  test('jobs, workers, stats, health and join URL', async () => {
    const { grid } = setup();
    await grid.submit({ name: 'a', code, input: { items: [1] } });
    expect((await grid.jobs()).map((job) => job.name)).toEqual(['a']);
    expect((await grid.workers())[0]?.id).toBe('w1');
    expect((await grid.stats()).workers).toBe(1);
    expect(await grid.health()).toEqual({ ok: true });
    expect(await grid.joinUrl()).toBe('http://fake/join?token=j');
  });

  test('putBlob stores bytes and text under their SHA-256', async () => {
    const { fake, grid } = setup();
    const sha = await grid.putBlob(new Uint8Array([1, 2, 3]));
    expect(sha).toBe(await sha256Hex(new Uint8Array([1, 2, 3])));
    expect(fake.blobs.get(sha)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await grid.putBlob(code)).toBe(await sha256Hex(code));
  });
});

describe('map', () => {
  test('runs the function on every item and resolves the outputs in input order', async () => {
    const { fake, grid } = setup({ runJobs: true });
    const items = Array.from({ length: 25 }, (_, index) => index + 1);
    const outputs = await grid.map(items, async (x: number) => Promise.resolve(x * x), { chunkSize: 10, name: 'squares', priority: 5 });
    expect(outputs).toEqual(items.map((x) => x * x));
    expect(fake.jobs.get('job-1')?.spec).toMatchObject({ name: 'squares', priority: 5, input: { chunkSize: 10 } });
  });

  test('a task that throws rejects with JobFailedError and its message', async () => {
    const { grid } = setup({ runJobs: true });
    const error = await rejection(
      grid.map([1, 2, 3], (x: number) => {
        if (x === 2) throw new Error(`cannot square ${x}`);
        return x * x;
      }, { retry: { maxAttempts: 1 } }),
    );
    expect(isJobFailedError(error)).toBe(true);
    expect(error).toMatchObject({ message: 'cannot square 2', state: 'FAILED', taskIndex: 1 });
  });

  test('method shorthand is refused before anything is sent', async () => {
    const { fake, grid } = setup({ runJobs: true });
    const shorthand = {
      double(this: void, x: number) {
        return x * 2;
      },
    };
    await expect(grid.map([1], shorthand.double)).rejects.toThrow(/method shorthand/);
    expect(fake.requests).toEqual([]);
  });

  test('no items resolve [] without submitting a job', async () => {
    const { fake, grid } = setup({ runJobs: true });
    expect(await grid.map([], (x: number) => x)).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  test('missing results are an error, not holes in the array', async () => {
    const { fake, grid } = setup();
    const mapping = grid.map([1, 2], (x: number) => x);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fakeJob = fake.jobs.get('job-1')!;
    fakeJob.results = [{ index: 0, output: 1 }];
    fakeJob.status = { ...fakeJob.status, state: 'COMPLETED' };
    await expect(mapping).rejects.toThrow('job job-1 completed without a result for item 1');
  });
});
