import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import {
  ItemResult,
  JobStatus,
  Stats,
  WorkerStatus,
  sha256Hex,
  type JobSpecInput,
} from '../shared/index.js';
import type { Coordinator } from './server.js';
import {
  DOUBLE_CODE,
  expectError,
  itemsOf,
  joinTokenOf,
  readBody,
  readNdjson,
  serverCaller,
  socketUrl,
  useRealServers,
  type Call,
} from './test-helpers.js';

// The same kinds of checks as api/app.test.ts and gateway/gateway.test.ts, against a real server
// on a random port, with real fetch and a real WebSocket client.

const { start, stop, track, connectWorker, newTempDir, running } = useRealServers();
const savedEnvToken = process.env.TABGRID_ADMIN_TOKEN;

beforeEach(() => {
  delete process.env.TABGRID_ADMIN_TOKEN;
});

afterEach(() => {
  if (savedEnvToken === undefined) delete process.env.TABGRID_ADMIN_TOKEN;
  else process.env.TABGRID_ADMIN_TOKEN = savedEnvToken;
});

const api = (coordinator: Coordinator, method: string, path: string, call: Call = {}) => serverCaller(coordinator)(method, path, call);

const spec = (items: unknown[] = [1, 2, 3], overrides: Partial<JobSpecInput> = {}): JobSpecInput => ({
  name: 'real-server',
  code: DOUBLE_CODE,
  input: { items, chunkSize: 2 },
  ...overrides,
});

async function submit(coordinator: Coordinator, items?: unknown[]): Promise<JobStatus> {
  const response = await api(coordinator, 'POST', '/api/v1/jobs', { json: spec(items) });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

async function workerList(coordinator: Coordinator): Promise<WorkerStatus[]> {
  return (await readBody(await api(coordinator, 'GET', '/api/v1/workers'), z.object({ workers: z.array(WorkerStatus) }))).workers;
}

const joinToken = joinTokenOf;

/** Opens a socket; answers the HTTP status when the upgrade is refused, or 'open'. */
function upgradeOutcome(url: string): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = track(new WebSocket(url));
    socket.on('unexpected-response', (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.on('open', () => resolve('open'));
    socket.on('error', reject);
  });
}

describe('real server: REST', () => {
  it('answers health, and refuses the API without the admin token', async () => {
    const coordinator = await start();
    const health = await api(coordinator, 'GET', '/api/v1/health', { token: null });
    expect(health.status).toBe(200);
    // Idle connections outlive a client's idle timeout, so a client never reuses one being closed.
    expect(health.headers.get('keep-alive')).toBe('timeout=65');
    for (const path of ['/api/v1/jobs', '/api/v1/stats', '/api/v1/workers', '/api/v1/join-url', '/api/v1/jobs/job_x']) {
      await expectError(await api(coordinator, 'GET', path, { token: null }), 401, 'unauthorized');
      await expectError(await api(coordinator, 'GET', path, { token: 'wrong' }), 401, 'unauthorized');
    }
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs', { json: spec(), token: joinToken(coordinator) }), 401, 'unauthorized');
  });

  it('stays active, its workers connected, after its process was busy far past the failover time (on SQLite nobody else can take over)', async () => {
    const coordinator = await start({ failoverMs: 100 });
    const worker = await connectWorker(coordinator);
    await worker.hello();
    // The event loop blocked for ten failover periods, as by a million-item job written in one go.
    const end = performance.now() + 1_000;
    while (performance.now() < end);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await api(coordinator, 'GET', '/api/v1/health', { token: null });
    expect((await health.json()) as unknown).toMatchObject({ role: 'active' });
    worker.send({ type: 'heartbeat' });
    worker.send({ type: 'withdraw' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(worker.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('creates jobs, and refuses bad specs, wrong types, bad JSON and big bodies, creating nothing', async () => {
    const coordinator = await start({ maxBodyBytes: 2048 });
    const bad = await expectError(
      await api(coordinator, 'POST', '/api/v1/jobs', { json: spec([1], { input: { items: [1], chunkSize: -1 } }) }),
      400,
      'invalid_spec',
    );
    expect(bad.details).toEqual([expect.objectContaining({ path: 'input.chunkSize' })]);
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs', { body: JSON.stringify(spec()), headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type');
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs', { body: '{', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs', { json: spec(Array.from({ length: 2048 }, (_, i) => i)) }), 413, 'too_large');
    const list = await readBody(await api(coordinator, 'GET', '/api/v1/jobs'), z.object({ jobs: z.array(JobStatus) }));
    expect(list.jobs).toEqual([]);

    const job = await submit(coordinator);
    expect(job).toMatchObject({ state: 'PENDING', items: 3, progress: { total: 2 } });
    expect(await readBody(await api(coordinator, 'GET', `/api/v1/jobs/${job.id}`), JobStatus)).toEqual(job);
  });

  it('answers 404 for unknown jobs, cancels once then 409', async () => {
    const coordinator = await start();
    for (const suffix of ['', '/tasks', '/results', '/logs']) {
      await expectError(await api(coordinator, 'GET', `/api/v1/jobs/job_nope${suffix}`), 404, 'not_found');
    }
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs/job_nope/cancel'), 404, 'not_found');

    const job = await submit(coordinator);
    const cancelled = await readBody(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/cancel`), JobStatus);
    expect(cancelled.state).toBe('CANCELLED');
    await expectError(await api(coordinator, 'POST', `/api/v1/jobs/${job.id}/cancel`), 409, 'conflict');
  });

  it('stores and serves blobs, to admins and to workers with the join token', async () => {
    const coordinator = await start();
    const bytes = new Uint8Array([5, 4, 3, 2, 1, 0]);
    const sha = await sha256Hex(bytes);
    await expectError(await api(coordinator, 'PUT', `/api/v1/blobs/${'0'.repeat(64)}`, { body: bytes }), 400, 'hash_mismatch');
    expect((await api(coordinator, 'PUT', `/api/v1/blobs/${sha}`, { body: bytes })).status).toBe(201);

    const admin = await api(coordinator, 'GET', `/api/v1/blobs/${sha}`);
    expect([...new Uint8Array(await admin.arrayBuffer())]).toEqual([...bytes]);
    const worker = await api(coordinator, 'GET', `/api/v1/worker/blobs/${sha}?token=${joinToken(coordinator)}`, { token: null });
    expect([...new Uint8Array(await worker.arrayBuffer())]).toEqual([...bytes]);
    await expectError(await api(coordinator, 'GET', `/api/v1/worker/blobs/${sha}`, { token: null }), 401, 'unauthorized');
  });

  it('answers the join URL and stats', async () => {
    const coordinator = await start();
    expect(coordinator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(coordinator.adminUrl).toBe(`${coordinator.url}/admin`);
    const joinUrl = await readBody(await api(coordinator, 'GET', '/api/v1/join-url'), z.object({ url: z.string() }));
    expect(joinUrl.url).toBe(coordinator.joinUrl);
    expect(joinUrl.url.startsWith(`${coordinator.url}/join?token=`)).toBe(true);

    const published = await start({ publicUrl: 'https://grid.example' });
    expect(published.joinUrl).toMatch(/^https:\/\/grid\.example\/join\?token=/);
    expect(published.url).toBe('https://grid.example');

    await submit(coordinator);
    const stats = await readBody(await api(coordinator, 'GET', '/api/v1/stats'), Stats);
    expect(stats).toMatchObject({ jobs: { PENDING: 1 }, tasks: { ready: 2 }, workers: 0, queueDepth: 2 });
  });

  it('answers 503 for the web apps when they are not built', async () => {
    const coordinator = await start();
    await expectError(await api(coordinator, 'GET', '/join', { token: null }), 503, 'not_built');
  });
});

describe('real server: worker socket', () => {
  it('refuses an upgrade without the join token, with a wrong one, or with the admin token', async () => {
    const coordinator = await start();
    expect(await upgradeOutcome(socketUrl(coordinator, null))).toBe(401);
    expect(await upgradeOutcome(socketUrl(coordinator, 'wrong'))).toBe(401);
    expect(await upgradeOutcome(socketUrl(coordinator, coordinator.adminToken))).toBe(401);
    expect(await upgradeOutcome(socketUrl(coordinator))).toBe('open');
  });

  it('runs a job: hello → welcome → ask → lease → result → ack, then the job completes', async () => {
    const coordinator = await start();
    const worker = await connectWorker(coordinator);
    const welcome = await worker.hello();
    expect(welcome).toMatchObject({ workerId: expect.stringMatching(/^w_/) as string, kept: [], leaseMs: 30_000 });

    worker.send({ type: 'ask' });
    const job = await submit(coordinator, [1, 2, 3]);
    const leases = [await worker.received.waitFor('lease')];
    worker.send({ type: 'ask' });
    leases.push(await worker.received.waitFor('lease', 2));
    expect(leases.map(itemsOf)).toEqual([[1, 2], [3]]);

    const code = await api(coordinator, 'GET', `/api/v1/worker/blobs/${leases[0]!.code}?token=${joinToken(coordinator)}`, { token: null });
    expect(await code.text()).toBe(DOUBLE_CODE);

    expect(await workerList(coordinator)).toMatchObject([{ id: welcome.workerId, currentTasks: [{ taskIndex: 0 }, { taskIndex: 1 }] }]);

    for (const lease of leases.reverse()) {
      worker.send({ type: 'result', leaseId: lease.leaseId, outputs: itemsOf(lease).map((x) => (x as number) * 2) });
    }
    await worker.received.waitFor('ack', 2);
    expect(worker.received.of('ack').map((ack) => ack.status)).toEqual(['accepted', 'accepted']);

    expect((await readBody(await api(coordinator, 'GET', `/api/v1/jobs/${job.id}`), JobStatus)).state).toBe('COMPLETED');
    const results = await readNdjson(await api(coordinator, 'GET', `/api/v1/jobs/${job.id}/results`), ItemResult);
    expect(results).toEqual([
      { index: 0, output: 2 },
      { index: 1, output: 4 },
      { index: 2, output: 6 },
    ]);
    expect(worker.received.invalid).toEqual([]);
  });

  it('answers bad frames with errors and closes the socket with 1008 after too many', async () => {
    const coordinator = await start();
    const worker = await connectWorker(coordinator);
    worker.socket.send(Buffer.from('binary'));
    const first = await worker.received.waitFor('error');
    expect(first).toMatchObject({ code: 'bad_message', message: 'expected a text frame' });
    for (let i = 0; i < 5; i++) worker.send('not json');
    expect((await worker.closed).code).toBe(1008);
    expect(worker.received.of('error')).toHaveLength(6);
  });

  it('closes a socket that sends a message over maxMessageBytes (1009) and keeps serving others', async () => {
    // @hono/node-ws reports the oversized frame as `new ErrorEvent(...)`, a global Node 20 lacks:
    // without the coordinator's stand-in it logged a ReferenceError in place of calling onError.
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const coordinator = await start({ maxMessageBytes: 1024 });
      const big = await connectWorker(coordinator);
      await big.hello('w_big');
      big.socket.send('x'.repeat(4096));
      expect((await big.closed).code).toBe(1009);
      await vi.waitFor(async () => expect((await workerList(coordinator)).map((w) => w.id)).toEqual([]), { timeout: 10_000, interval: 50 });

      const next = await connectWorker(coordinator);
      expect(await next.hello('w_next')).toMatchObject({ type: 'welcome', workerId: 'w_next' });
      expect((await workerList(coordinator)).map((w) => w.id)).toEqual(['w_next']);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it('forgets a worker whose socket closed', async () => {
    const coordinator = await start();
    const worker = await connectWorker(coordinator);
    await worker.hello('w_leaving');
    expect((await workerList(coordinator)).map((w) => w.id)).toEqual(['w_leaving']);
    worker.socket.close();
    await vi.waitFor(async () => expect(await workerList(coordinator)).toEqual([]), { timeout: 10_000, interval: 50 });
  });

  it('shuts down while sockets are open, said hello or not', async () => {
    const coordinator = await start();
    const welcomed = await connectWorker(coordinator);
    await welcomed.hello();
    const silent = await connectWorker(coordinator);
    await stop(coordinator);
    expect((await welcomed.closed).code).toBe(1001);
    expect((await silent.closed).code).toBe(1001);
  });

  it('keeps a worker’s lease across a coordinator restart, and takes its result', async () => {
    const dataDir = await newTempDir();
    const first = await start({ dataDir });
    const job = await submit(first, [7]);
    const before = await connectWorker(first);
    const { workerId } = await before.hello();
    before.send({ type: 'ask' });
    const lease = await before.received.waitFor('lease');
    await stop(first);
    expect((await before.closed).code).toBe(1001);

    const second = await start({ dataDir });
    expect(second.adminToken).toBe(first.adminToken);
    const after = await connectWorker(second);
    const welcome = await after.hello(workerId, [lease.leaseId]);
    expect(welcome.kept).toEqual([lease.leaseId]);
    after.send({ type: 'result', leaseId: lease.leaseId, outputs: [14] });
    expect(await after.received.waitFor('ack')).toEqual({ type: 'ack', leaseId: lease.leaseId, status: 'accepted' });
    expect((await readBody(await api(second, 'GET', `/api/v1/jobs/${job.id}`), JobStatus)).state).toBe('COMPLETED');
    expect(await readNdjson(await api(second, 'GET', `/api/v1/jobs/${job.id}/results`), ItemResult)).toEqual([{ index: 0, output: 14 }]);
  });
});

describe('real server: tokens', () => {
  it('makes the admin and join tokens once, keeps them in the store, and reuses them on restart', async () => {
    const dataDir = await newTempDir();
    const first = await start({ dataDir });
    expect(first.adminTokenCreated).toBe(true);
    expect(first.adminToken.length).toBeGreaterThanOrEqual(24);
    await stop(first);

    const second = await start({ dataDir });
    expect(second.adminTokenCreated).toBe(false);
    expect(second.adminToken).toBe(first.adminToken);
    expect(joinToken(second)).toBe(joinToken(first));
    expect((await api(second, 'GET', '/api/v1/jobs')).status).toBe(200);
  });

  it('takes over the tokens a data dir from before kept in files', async () => {
    const dataDir = await newTempDir();
    await writeFile(join(dataDir, 'admin-token'), 'old-admin-token\n');
    await writeFile(join(dataDir, 'join-token'), 'old-join-token\n');
    const coordinator = await start({ dataDir });
    expect(coordinator.adminToken).toBe('old-admin-token');
    expect(coordinator.adminTokenCreated).toBe(false);
    expect(joinToken(coordinator)).toBe('old-join-token');
  });

  it('lets TABGRID_ADMIN_TOKEN win over the saved token, and the adminToken option win over both', async () => {
    const dataDir = await newTempDir();
    const saved = (await start({ dataDir })).adminToken;
    for (const coordinator of [...running]) await stop(coordinator);

    process.env.TABGRID_ADMIN_TOKEN = 'token-from-env';
    const fromEnv = await start({ dataDir });
    expect(fromEnv.adminToken).toBe('token-from-env');
    expect(fromEnv.adminTokenCreated).toBe(false);
    expect((await api(fromEnv, 'GET', '/api/v1/stats', { token: 'token-from-env' })).status).toBe(200);
    await expectError(await api(fromEnv, 'GET', '/api/v1/stats', { token: saved }), 401, 'unauthorized');
    await stop(fromEnv);

    const fromOption = await start({ dataDir, adminToken: 'token-from-option' });
    expect(fromOption.adminToken).toBe('token-from-option');
    await expectError(await api(fromOption, 'GET', '/api/v1/stats', { token: 'token-from-env' }), 401, 'unauthorized');
  });
});
