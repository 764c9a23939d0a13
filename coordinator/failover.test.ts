import { describe, expect, inject, it } from 'vitest';
import { WebSocket } from 'ws';
import { Health, ItemResult, JobStatus } from '../shared/index.js';
import type { Coordinator } from './server.js';
import { newDatabaseOn } from './store/postgres-server.js';
import { DOUBLE_CODE, expectError, readBody, readNdjson, serverCaller, socketUrl, useRealServers } from './test-helpers.js';
import { honest, ProtocolWorker } from './test-workers.js';

// Several coordinators on one real PostgreSQL database: one active, the others standing by.

const { start, stop, track } = useRealServers();

const newDatabase = (): Promise<string> => newDatabaseOn(inject('postgresUrl'));

const FAILOVER_MS = 600;
const onDatabase = (database: string) => start({ database, failoverMs: FAILOVER_MS, leaseMs: 2_000 });
const api = (coordinator: Coordinator, method: string, path: string, json?: unknown) => serverCaller(coordinator)(method, path, json === undefined ? {} : { json });

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The status a plain HTTP upgrade to the worker socket gets. */
function upgradeStatus(coordinator: Coordinator): Promise<number> {
  return new Promise((resolve) => {
    const socket = track(new WebSocket(socketUrl(coordinator)));
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('open', () => resolve(101));
    socket.on('error', () => undefined);
  });
}

describe('active and standby coordinators on one PostgreSQL database', () => {
  it('makes the second a standby: 503 with Retry-After to REST and sockets, its role in health and readyz, the same tokens', async () => {
    const database = await newDatabase();
    const active = await onDatabase(database);
    const standby = await onDatabase(database);
    expect([active.role(), standby.role()]).toEqual(['active', 'standby']);
    expect(standby.adminToken).toBe(active.adminToken);
    expect(standby.joinUrl.split('token=')[1]).toBe(active.joinUrl.split('token=')[1]);

    expect((await api(active, 'GET', '/readyz')).status).toBe(200);
    expect((await api(standby, 'GET', '/readyz')).status).toBe(503);
    expect(await readBody(await api(active, 'GET', '/api/v1/health'), Health)).toEqual({ ok: true, role: 'active' });
    expect(await readBody(await api(standby, 'GET', '/api/v1/health'), Health)).toEqual({ ok: true, role: 'standby' });

    const refused = await api(standby, 'GET', '/api/v1/jobs');
    expect(refused.headers.get('retry-after')).toBe('1');
    await expectError(refused, 503, 'standby');
    await expectError(await api(standby, 'POST', '/api/v1/jobs', { name: 'x', code: DOUBLE_CODE, input: { items: [1] } }), 503, 'standby');
    expect(await upgradeStatus(standby)).toBe(503);
    expect(await upgradeStatus(active)).toBe(101);
  });

  it('hands over when the active stops: the standby serves the jobs, leases and results from the database', async () => {
    const database = await newDatabase();
    const first = await onDatabase(database);
    const second = await onDatabase(database);
    const submitted = await readBody(await api(first, 'POST', '/api/v1/jobs', { name: 'handover', code: DOUBLE_CODE, input: { items: [1, 2, 3, 4], chunkSize: 1 } }), JobStatus);
    const early = await new ProtocolWorker(track(new WebSocket(socketUrl(first))), (lease) => (lease.taskIndex < 2 ? honest(lease) : 'stall')).join();
    early.start();
    await until(() => early.leases.length === 3, 'the first worker leased three tasks (two answered)');

    await stop(first);
    await until(() => second.role() === 'active', 'the standby took over');
    const late = await new ProtocolWorker(track(new WebSocket(socketUrl(second))), honest).join();
    late.start();
    await until(async () => (await readBody(await api(second, 'GET', `/api/v1/jobs/${submitted.id}`), JobStatus)).state === 'COMPLETED', 'the job completed on the new active');
    expect(await readNdjson(await api(second, 'GET', `/api/v1/jobs/${submitted.id}/results`), ItemResult)).toEqual([1, 2, 3, 4].map((x, index) => ({ index, output: x * 2 })));
    // The tasks answered before the handover were not run again.
    expect(late.leases.map((lease) => lease.taskIndex).sort()).toEqual([2, 3]);
  });
});
