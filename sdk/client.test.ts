import { beforeAll, describe, expect, test } from 'vitest';
import { sha256Hex } from '../shared/index.js';
import { Tabgrid } from './client.js';
import { HTTPError, isHTTPError, isNetworkError, isResponseError, isSpecError, isTabgridError } from './errors.js';
import { ADMIN_TOKEN, rejection, sentSpecs, useRealGrids, type RealGrid } from './test-support.js';

// The client against the real coordinator (see test-support.ts). Job.wait, reads and map() are in
// client-jobs.test.ts.

const code = 'export default (x) => x * x';
const { start } = useRealGrids();

describe('Tabgrid options', () => {
  test('a URL that is not http(s) and a missing token are refused', () => {
    expect(() => new Tabgrid({ url: '127.0.0.1:8080', token: 't' })).toThrow(/url must start with http/);
    expect(() => new Tabgrid({ url: 'http://x', token: '' })).toThrow(/token is required/);
  });
});

describe('submit', () => {
  test('validates, sends the spec with the bearer token and its defaults filled, and returns the job', async () => {
    const { grid, sent } = await start();
    const job = await grid.submit({ name: 'squares', code, input: { items: [1, 2, 3], chunkSize: 2 } });
    expect(job.id).toMatch(/^job_/);
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/api/v1/jobs', authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(sentSpecs(sent)).toEqual([expect.objectContaining({ name: 'squares', priority: 0, retry: expect.objectContaining({ maxAttempts: 3 }) as unknown })]);
    expect(await job.status()).toMatchObject({ name: 'squares', priority: 0, progress: { total: 2 } });
  });

  test('an invalid spec throws SpecError naming the fields, and nothing is sent', async () => {
    const { grid, sent } = await start();
    const error = await rejection(grid.submit({ name: 'bad', code: '', input: { items: [], chunkSize: 0 } }));
    expect(isSpecError(error)).toBe(true);
    if (!isSpecError(error)) return;
    expect(error.issues.map((issue) => issue.path)).toEqual(['code', 'input.items', 'input.chunkSize']);
    expect(error.message).toMatch(/^invalid job spec: code: code must not be empty; input\.items: items must not be empty/);
    expect(sent).toEqual([]);
  });

  test('unknown fields are refused before sending', async () => {
    const { grid } = await start();
    const spec = { name: 'x', code, input: { items: [1] }, colour: 'red' };
    await expect(grid.submit(spec as Parameters<Tabgrid['submit']>[0])).rejects.toThrow(/colour/);
  });
});

describe('error mapping', () => {
  test('an error status becomes HTTPError with the code, message and details of the body', async () => {
    const { grid } = await start();
    const error = await rejection(grid.job('missing').status());
    expect(error).toBeInstanceOf(HTTPError);
    expect(error).toMatchObject({ name: 'HTTPError', status: 404, code: 'not_found', rawCode: 'not_found', message: 'job missing not found', method: 'GET' });
  });

  test('a 400 keeps the field list in details', async () => {
    const real = await start();
    // The SDK validates before sending, so the body is changed on its way to reach the server's check.
    const grid = real.client({ wrap: (fetch) => (input, init) => fetch(input, { ...init, body: '{"name":""}' }) });
    const error = await rejection(grid.submit({ name: 'ok', code, input: { items: [1] } }));
    expect(error).toMatchObject({ name: 'HTTPError', status: 400, code: 'invalid_spec' });
    expect(isHTTPError(error) && error.details).toEqual(expect.arrayContaining([{ path: 'name', message: expect.any(String) as string }]));
  });

  test('a wrong token is a 401 HTTPError', async () => {
    const real = await start();
    await expect(real.client({ token: 'wrong' }).jobs()).rejects.toMatchObject({ name: 'HTTPError', status: 401, code: 'unauthorized' });
  });

  // No real coordinator answers these; they come from what stands between (a proxy) or from a newer
  // coordinator, so a stand-in fetch answers them, beside the real answers above.
  test('an error body that is no problem details still gives an HTTPError, without a code', async () => {
    const grid = new Tabgrid({
      url: 'http://proxy',
      token: 't',
      fetch: () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    const error = await rejection(grid.stats());
    expect(error).toMatchObject({ status: 502, code: undefined, rawCode: undefined, message: 'GET http://proxy/api/v1/stats failed with 502 Bad Gateway' });
  });

  test('a code this SDK does not know is kept raw, and the error is still an HTTPError', async () => {
    const problem = { type: '/api/docs#problem-quota_exceeded', title: 'Over quota', status: 403, detail: 'over your quota', code: 'quota_exceeded' };
    const newer = new Response(JSON.stringify(problem), { status: 403, headers: { 'content-type': 'application/problem+json' } });
    const grid = new Tabgrid({ url: 'http://newer', token: 't', fetch: () => newer });
    const error = await rejection(grid.jobs());
    expect(error).toMatchObject({ name: 'HTTPError', status: 403, code: undefined, rawCode: 'quota_exceeded', message: 'over your quota' });
  });

  test('a 2xx answer of the wrong shape is a ResponseError', async () => {
    const grid = new Tabgrid({ url: 'http://odd', token: 't', fetch: () => Response.json({ jobs: 'none' }) });
    const error = await rejection(grid.jobs());
    expect(isResponseError(error)).toBe(true);
    expect(isTabgridError(error)).toBe(true);
  });

  test('a fetch that rejects becomes NetworkError with the cause', async () => {
    const cause = new TypeError('fetch failed');
    const grid = new Tabgrid({ url: 'http://down', token: 't', fetch: () => Promise.reject(cause) });
    const error = await rejection(grid.jobs());
    expect(isNetworkError(error)).toBe(true);
    expect(error).toMatchObject({ url: 'http://down/api/v1/jobs?limit=1000', cause });
  });

  test('a coordinator that is not listening gives NetworkError with the reason', async () => {
    const grid = new Tabgrid({ url: 'http://127.0.0.1:1', token: 't' });
    const error = await rejection(grid.health());
    expect(isNetworkError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1\/api\/v1\/health/);
  });
});

describe('grid reads', () => {
  const grids = useRealGrids('all');
  let real: RealGrid;
  let workerId: string | null;
  beforeAll(async () => {
    real = await grids.start();
    workerId = (await grids.addWorker(real)).client.snapshot().workerId;
  });

  test('jobs, workers, stats, health and join URL', async () => {
    const { grid, coordinator } = real;
    const job = await grid.submit({ name: 'a', code, input: { items: [1] } });
    expect((await grid.jobs()).find((listed) => listed.id === job.id)?.name).toBe('a');
    const other = await grid.submit({ name: 'Other job', code, input: { items: [1] }, runMode: 'paused' });
    expect((await grid.jobs({ state: 'PAUSED' })).map((listed) => listed.id)).toEqual([other.id]);
    expect((await grid.jobs({ name: 'other', state: ['PAUSED', 'PENDING', 'RUNNING', 'COMPLETED'] })).map((listed) => listed.id)).toEqual([other.id]);
    expect((await grid.workers()).map((worker) => worker.id)).toEqual([workerId]);
    expect((await grid.stats()).workers).toBe(1);
    expect(await grid.health()).toEqual({ ok: true, role: 'active' });
    expect(await grid.joinUrl()).toBe(coordinator.joinUrl);
  });

  test('metrics returns the Prometheus text', async () => {
    expect(await real.grid.metrics()).toMatch(/^tabgrid_workers\{runtime="node",backend="[a-z]+"\} 1$/m);
  });

  test('putBlob stores bytes and text under their SHA-256', async () => {
    const { grid, coordinator } = real;
    const sha = await grid.putBlob(new Uint8Array([1, 2, 3]));
    expect(sha).toBe(await sha256Hex(new Uint8Array([1, 2, 3])));
    const stored = await fetch(`${coordinator.url}/api/v1/blobs/${sha}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(new Uint8Array(await stored.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    expect(await grid.putBlob(code)).toBe(await sha256Hex(code));
  });
});
