import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Stats, sha256Hex } from '../../shared/index.js';
import {
  ADMIN_TOKEN,
  JOIN_TOKEN,
  appCaller,
  asker,
  expectError,
  openParts,
  readBody,
  submitJob,
  testApp,
  useTempDirs,
  type Caller,
  type Parts,
} from '../test-helpers.js';

// Metrics and statistics, and blobs (with byte ranges for workers), in-process.

const MAX_BLOB_BYTES = 1024;
const SHA_A = 'a'.repeat(64);
const BlobStored = z.object({ sha256: z.string(), size: z.number() });
const newTempDir = useTempDirs();
let parts: Parts;
let call: Caller;

beforeEach(async () => {
  parts = await openParts();
  call = appCaller(testApp(parts, await newTempDir(), { limits: { maxBlobBytes: MAX_BLOB_BYTES } }));
});

afterEach(async () => {
  await parts.close();
});

/** Sample lines of the exposition text as `name{labels} value`, without comments. */
const samples = (text: string): string[] => text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));

describe('GET /metrics', () => {
  it('needs the admin token', async () => {
    await expectError(await call('GET', '/metrics', { token: null }), 401, 'unauthorized');
    await expectError(await call('GET', '/metrics', { token: JOIN_TOKEN }), 401, 'unauthorized');
    expect((await call('GET', '/metrics', { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it('answers Prometheus text with every family, typed and described', async () => {
    const done = await submitJob(parts.scheduler, parts.store, { items: [1] });
    const lease = (await parts.scheduler.leaseNext(asker('w_1')))!;
    await parts.scheduler.complete('w_1', lease.leaseId, [2]);
    await submitJob(parts.scheduler, parts.store, { items: [1, 2], retry: { timeoutMs: 1_000 } });
    await parts.scheduler.leaseNext(asker('w_1'));
    parts.clock.advance(1_000);
    await parts.scheduler.sweep();

    const response = await call('GET', '/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    for (const [name, type] of [
      ['tabgrid_jobs', 'gauge'],
      ['tabgrid_tasks', 'gauge'],
      ['tabgrid_tasks_per_second', 'gauge'],
      ['tabgrid_queue_depth', 'gauge'],
      ['tabgrid_workers', 'gauge'],
      ['tabgrid_lease_lapses_total', 'counter'],
      ['tabgrid_retries_total', 'counter'],
      ['tabgrid_late_results_total', 'counter'],
      ['tabgrid_timeouts_total', 'counter'],
      ['tabgrid_uptime_seconds', 'gauge'],
      ['tabgrid_ask_to_lease_seconds', 'histogram'],
      ['tabgrid_task_queue_wait_seconds', 'histogram'],
      ['tabgrid_task_run_seconds', 'histogram'],
      ['tabgrid_http_requests_total', 'counter'],
      ['tabgrid_http_request_duration_seconds', 'histogram'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ]) {
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(new RegExp(`# HELP ${name} \\S`));
    }
    expect(samples(text)).toEqual(
      expect.arrayContaining([
        'tabgrid_jobs{state="COMPLETED"} 1',
        'tabgrid_jobs{state="RUNNING"} 1',
        'tabgrid_tasks{state="done"} 1',
        'tabgrid_tasks{state="ready"} 2',
        'tabgrid_tasks_per_second 0.1',
        // The timed-out task is ready but backing off: not in the queue yet.
        'tabgrid_queue_depth 1',
        'tabgrid_timeouts_total 1',
        'tabgrid_retries_total 1',
        'tabgrid_lease_lapses_total 0',
      ]),
    );
    // Every sample line is `name{labels} number`.
    for (const line of samples(text)) expect(line).toMatch(/^[a-z_0-9]+(\{[a-z_0-9]+="[^"]*"(,[a-z_0-9]+="[^"]*")*\})? (-?\d+(\.\d+)?(e[-+]?\d+)?|\+Inf|NaN)$/);
    expect(done.id).toMatch(/^job_/);
  });

  it('agrees with /stats', async () => {
    await submitJob(parts.scheduler, parts.store, { items: [1, 2, 3] });
    const stats = await readBody(await call('GET', '/api/v1/stats'), Stats);
    expect(stats).toMatchObject({ jobs: { PENDING: 1 }, tasks: { ready: 3 }, queueDepth: 3, timeouts: 0, tasksPerSecond: 0 });
    expect(samples(await (await call('GET', '/metrics')).text())).toEqual(
      expect.arrayContaining(['tabgrid_jobs{state="PENDING"} 1', 'tabgrid_tasks{state="ready"} 3', 'tabgrid_queue_depth 3']),
    );
  });
});

describe('blobs', () => {
  const bytes = new Uint8Array([0, 1, 2, 3, 254, 255]);

  it('stores bytes under their SHA-256 and serves them back', async () => {
    const sha = await sha256Hex(bytes);
    const stored = await call('PUT', `/api/v1/blobs/${sha}`, { body: bytes });
    expect(stored.status).toBe(201);
    expect(await readBody(stored, BlobStored)).toEqual({ sha256: sha, size: 6 });
    // Idempotent.
    expect((await call('PUT', `/api/v1/blobs/${sha}`, { body: bytes })).status).toBe(201);

    const got = await call('GET', `/api/v1/blobs/${sha}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await got.arrayBuffer())]).toEqual([...bytes]);
  });

  it('refuses bytes that do not hash to the name', async () => {
    const error = await expectError(await call('PUT', `/api/v1/blobs/${SHA_A}`, { body: bytes }), 400, 'hash_mismatch');
    expect(error.detail).toContain(await sha256Hex(bytes));
    expect(await parts.store.hasBlob(SHA_A)).toBe(false);
    await expectError(await call('GET', `/api/v1/blobs/${SHA_A}`), 404, 'not_found');
  });

  it('refuses a name that is not a SHA-256, and a blob over maxBlobBytes', async () => {
    await expectError(await call('PUT', '/api/v1/blobs/not-a-hash', { body: bytes }), 400, 'invalid_blob_name');
    await expectError(await call('GET', `/api/v1/blobs/${SHA_A.toUpperCase()}`), 400, 'invalid_blob_name');
    const big = new Uint8Array(MAX_BLOB_BYTES + 1);
    await expectError(await call('PUT', `/api/v1/blobs/${await sha256Hex(big)}`, { body: big }), 413, 'too_large');
    expect(await parts.store.hasBlob(await sha256Hex(big))).toBe(false);
  });

  it('serves blobs to workers with the join token only', async () => {
    const sha = await sha256Hex(bytes);
    await call('PUT', `/api/v1/blobs/${sha}`, { body: bytes });
    const path = `/api/v1/worker/blobs/${sha}`;

    const byQuery = await call('GET', `${path}?token=${JOIN_TOKEN}`, { token: null });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('cache-control')).toContain('immutable');
    expect([...new Uint8Array(await byQuery.arrayBuffer())]).toEqual([...bytes]);
    expect((await call('GET', path, { token: JOIN_TOKEN })).status).toBe(200);

    await expectError(await call('GET', path, { token: null }), 401, 'unauthorized');
    await expectError(await call('GET', `${path}?token=wrong`, { token: null }), 401, 'unauthorized');
    await expectError(await call('GET', path, { token: ADMIN_TOKEN }), 401, 'unauthorized');
    await expectError(await call('GET', `/api/v1/worker/blobs/${SHA_A}?token=${JOIN_TOKEN}`, { token: null }), 404, 'not_found');
  });
});

describe('GET /api/v1/worker/blobs/:sha with Range', () => {
  const bytes = new Uint8Array(Array.from({ length: 100 }, (_, i) => i));
  let path: string;

  beforeEach(async () => {
    const sha = await sha256Hex(bytes);
    await parts.store.putBlob(sha, bytes);
    path = `/api/v1/worker/blobs/${sha}?token=${JOIN_TOKEN}`;
  });

  const get = (range?: string) => call('GET', path, { token: null, ...(range === undefined ? {} : { headers: { range } }) });
  const body = async (response: Response): Promise<number[]> => [...new Uint8Array(await response.arrayBuffer())];

  it('serves the whole blob without a Range, saying it takes ranges', async () => {
    const response = await get();
    expect(response.status).toBe(200);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(await body(response)).toEqual([...bytes]);
  });

  it('answers 206 with Content-Range for a range, an open-ended range, and a range past the end', async () => {
    const middle = await get('bytes=10-19');
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 10-19/100');
    expect(await body(middle)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);

    const tail = await get('bytes=95-');
    expect(tail.headers.get('content-range')).toBe('bytes 95-99/100');
    expect(await body(tail)).toEqual([95, 96, 97, 98, 99]);

    const clipped = await get('bytes=98-500');
    expect(clipped.status).toBe(206);
    expect(clipped.headers.get('content-range')).toBe('bytes 98-99/100');
    expect(await body(clipped)).toEqual([98, 99]);

    const one = await get('bytes=0-0');
    expect(await body(one)).toEqual([0]);
  });

  it.each(['bytes=100-', 'bytes=20-10', 'bytes=abc', 'items=0-5', 'bytes=-5', 'bytes=0-5,10-15'])('answers 416 to %s', async (range) => {
    const error = await expectError(await get(range), 416, 'range_not_satisfiable');
    expect(error.detail).toContain('100-byte blob');
  });
});
