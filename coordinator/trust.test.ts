import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { JobStatus, WorkerList, WorkerReputation, type JobSpecInput } from '../shared/index.js';
import type { Coordinator } from './server.js';
import { DOUBLE_CODE, expectError, frameText, readBody, serverCaller, socketUrl, useRealServers } from './test-helpers.js';
import { honest, leaseItems, ProtocolWorker, type Answer } from './test-workers.js';

// Volunteers are strangers: these workers speak the protocol over real sockets to a real
// coordinator, some of them lying, failing on purpose or hoarding. None of them may corrupt,
// fail or stall a job.

const { start, track } = useRealServers();

const api = (coordinator: Coordinator, method: string, path: string, json?: unknown) =>
  serverCaller(coordinator)(method, path, json === undefined ? {} : { json });

function worker(coordinator: Coordinator, answer: Answer, concurrency = 1): ProtocolWorker {
  return new ProtocolWorker(track(new WebSocket(socketUrl(coordinator))), answer, concurrency);
}

async function submit(coordinator: Coordinator, spec: Partial<JobSpecInput> & { items: number[] }): Promise<string> {
  const { items, ...rest } = spec;
  const response = await api(coordinator, 'POST', '/api/v1/jobs', { name: 'trust', code: DOUBLE_CODE, input: { items, chunkSize: 1 }, ...rest });
  expect(response.status).toBe(201);
  return (await readBody(response, JobStatus)).id;
}

async function jobStatus(coordinator: Coordinator, id: string): Promise<JobStatus> {
  return readBody(await api(coordinator, 'GET', `/api/v1/jobs/${id}`), JobStatus);
}

/** Waits, on the job's event stream, for the job to end; answers its status. */
async function ended(coordinator: Coordinator, id: string): Promise<JobStatus> {
  const response = await api(coordinator, 'GET', `/api/v1/jobs/${id}/events?follow=1`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!/"to":"(COMPLETED|FAILED|CANCELLED)"/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return jobStatus(coordinator, id);
}

async function outputs(coordinator: Coordinator, id: string): Promise<unknown[]> {
  const text = await (await api(coordinator, 'GET', `/api/v1/jobs/${id}/results`)).text();
  return text
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { output: unknown }).output);
}

async function workerList(coordinator: Coordinator): Promise<WorkerList> {
  return readBody(await api(coordinator, 'GET', '/api/v1/workers'), WorkerList);
}

const range = (count: number): number[] => Array.from({ length: count }, (_, n) => n);

/** A liar of its own: wrong outputs no other liar gives, as independent cheats would. */
const liar =
  (offset: number): Answer =>
  (lease) => ({ outputs: leaseItems(lease).map((x) => x * 2 + offset) });

describe('validation by replication and quorum', () => {
  it('gets every output right with two liars among six workers, and quarantines the liars', async () => {
    const coordinator = await start();
    const liars = [worker(coordinator, liar(1_000)), worker(coordinator, liar(2_000))];
    const honestWorkers = range(4).map(() => worker(coordinator, honest));
    for (const each of [...liars, ...honestWorkers]) await each.join();
    const items = range(60);
    const id = await submit(coordinator, { items, validation: { replicas: 3, quorum: 2 } });
    for (const each of [...liars, ...honestWorkers]) each.start();

    const status = await ended(coordinator, id);
    expect(status.state).toBe('COMPLETED');
    expect(await outputs(coordinator, id)).toEqual(items.map((x) => x * 2));
    expect(status.validation).toMatchObject({ replicas: 3, quorum: 2, accepted: items.length });
    expect(status.validation!.disagreements).toBeGreaterThan(0);

    const { quarantined } = await workerList(coordinator);
    expect(quarantined.map((record) => record.id).sort()).toEqual(liars.map((each) => each.workerId).sort());
    for (const record of quarantined) expect(record).toMatchObject({ quarantined: true, streak: 0, note: expect.stringContaining('disagreed') as string });
    // A quarantined liar is told so, and gets nothing more.
    for (const each of liars) expect(each.errors.map((error) => error.code)).toContain('quarantined');
  });

  it('runs trusted workers mostly alone once warmed up: leases per accepted task under 1.3', async () => {
    const coordinator = await start();
    const workers = range(6).map(() => worker(coordinator, honest));
    for (const each of workers) await each.join();
    for (const each of workers) each.start();
    const validation = { replicas: 2, quorum: 2 };
    // Warm-up: every worker earns its trust (10 valid results in a row) through fully replicated tasks.
    for (let round = 0; round < 20; round++) {
      const { workers: listed } = await workerList(coordinator);
      if (listed.every((each) => each.reputation!.streak >= 10)) break;
      await ended(coordinator, await submit(coordinator, { items: range(30), validation }));
    }
    const { workers: warmed } = await workerList(coordinator);
    expect(warmed.map((each) => each.reputation!.streak).every((streak) => streak >= 10)).toBe(true);

    const id = await submit(coordinator, { items: range(300), validation });
    const status = await ended(coordinator, id);
    expect(status.state).toBe('COMPLETED');
    expect(await outputs(coordinator, id)).toEqual(range(300).map((x) => x * 2));
    const { leases, accepted, checked } = status.validation!;
    const factor = leases / accepted;
    console.log(`adaptive validation after warm-up: ${leases} leases for ${accepted} tasks (${checked} spot-checked): replication factor ${factor.toFixed(3)}`);
    expect(accepted).toBe(300);
    expect(checked).toBeGreaterThan(0);
    expect(factor).toBeLessThan(1.3);
  });

  it('refuses a validated gang, and a quorum over the replicas', async () => {
    const coordinator = await start();
    const gang = { name: 'g', code: DOUBLE_CODE, input: { items: [1] }, gang: { size: 2 }, validation: { replicas: 2 } };
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs', gang), 400, 'invalid_spec');
    const over = { name: 'q', code: DOUBLE_CODE, input: { items: [1] }, validation: { replicas: 2, quorum: 3 } };
    await expectError(await api(coordinator, 'POST', '/api/v1/jobs', over), 400, 'invalid_spec');
  });
});

describe('no single volunteer can fail, hoard or stall a job', () => {
  it('does not let a worker that fails every task fail a job honest workers can finish', async () => {
    const coordinator = await start();
    const saboteur = await worker(coordinator, () => ({ fail: 'no, on purpose' }), 2).join();
    saboteur.start();
    const items = range(8);
    const id = await submit(coordinator, { items, retry: { maxAttempts: 3, backoff: { initialMs: 0 } } });
    // The saboteur has a head start: it fails tasks before any honest worker comes.
    while (saboteur.leases.length < 6) await new Promise((resolve) => setImmediate(resolve));
    const honestWorker = await worker(coordinator, honest).join();
    honestWorker.start();

    const status = await ended(coordinator, id);
    expect(status.state).toBe('COMPLETED');
    expect(await outputs(coordinator, id)).toEqual(items.map((x) => x * 2));
    const { workers } = await workerList(coordinator);
    expect(workers.find((each) => each.id === saboteur.workerId)?.reputation?.errors).toBeGreaterThan(0);
  });

  it('a worker that takes a task and heartbeats forever without answering does not stall it: a backup copy on another worker finishes it', async () => {
    const coordinator = await start({ backupAfterMs: 200, backupWithoutHistoryMs: 200 });
    const staller = (await worker(coordinator, () => 'stall').join()).heartbeatEvery(50).start();
    const id = await submit(coordinator, { items: [7] });
    await vi.waitFor(() => expect(staller.leases).toHaveLength(1), { timeout: 10_000 });
    const helper = (await worker(coordinator, honest).join()).start();
    expect((await ended(coordinator, id)).state).toBe('COMPLETED');
    expect(await outputs(coordinator, id)).toEqual([14]);
    expect(helper.leases.map((lease) => lease.taskIndex)).toEqual([0]);
    // The staller is told to stop; it is never handed its own task's copy.
    await vi.waitFor(() => expect(staller.revoked).toEqual([staller.leases[0]!.leaseId]), { timeout: 10_000 });
  });

  it('gives a worker asking 10,000 times no more leases than its concurrency', async () => {
    const coordinator = await start();
    await submit(coordinator, { items: range(100) });
    const hoarder = await worker(coordinator, () => ({ outputs: [] }), 2).join();
    hoarder.socket.removeAllListeners('message');
    const refused: string[] = [];
    hoarder.socket.on('message', (data) => {
      const message = JSON.parse(frameText(data)) as { type: string; code?: string };
      if (message.type === 'error') refused.push(message.code!);
    });
    for (let ask = 0; ask < 10_000; ask++) hoarder.send({ type: 'ask' });
    expect(await hoarder.closed).toBe(1008);
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['over_capacity']));
    const leased = (await jobStatus(coordinator, (await listJobIds(coordinator))[0]!)).progress.running;
    expect(leased).toBeLessThanOrEqual(2);
  });

  it('after hello with no leases, heartbeats keep no old lease: the task goes to another worker', async () => {
    const coordinator = await start({ leaseMs: 60_000 });
    const id = await submit(coordinator, { items: [21] });
    const first = await worker(coordinator, () => ({ outputs: [] })).join();
    first.socket.removeAllListeners('message');
    const firstLease = new Promise<void>((resolve) => first.socket.on('message', (data) => frameText(data).includes('"lease"') && resolve()));
    first.send({ type: 'ask' });
    await firstLease;
    first.socket.terminate();

    // The same identity comes back saying it holds nothing, and keeps heartbeating.
    const again = await worker(coordinator, () => ({ outputs: [] })).join(first.workerId, []);
    for (let beat = 0; beat < 5; beat++) again.send({ type: 'heartbeat' });
    const other = await worker(coordinator, honest).join();
    other.start();
    const status = await ended(coordinator, id);
    expect(status.state).toBe('COMPLETED');
    expect(other.leases).toHaveLength(1);
    expect(await outputs(coordinator, id)).toEqual([42]);
  });
});

describe('quarantine by hand', () => {
  it('lists a worker with its record, quarantines it (no work), and releases it (work again)', async () => {
    const coordinator = await start();
    const volunteer = await worker(coordinator, honest).join();
    const listed = (await workerList(coordinator)).workers[0]!;
    expect(listed.reputation).toEqual({ id: volunteer.workerId, valid: 0, invalid: 0, streak: 0, errors: 0, quarantined: false, note: null });

    const held = await readBody(await api(coordinator, 'POST', `/api/v1/workers/${volunteer.workerId}/quarantine`, { reason: 'suspicious' }), WorkerReputation);
    expect(held).toMatchObject({ quarantined: true, note: 'suspicious' });
    const id = await submit(coordinator, { items: [5] });
    volunteer.start();
    await waitUntil(() => volunteer.errors.some((error) => error.code === 'quarantined'));
    expect((await jobStatus(coordinator, id)).progress.running).toBe(0);
    expect((await workerList(coordinator)).quarantined.map((record) => record.id)).toEqual([volunteer.workerId]);

    await api(coordinator, 'POST', `/api/v1/workers/${volunteer.workerId}/release`);
    expect((await ended(coordinator, id)).state).toBe('COMPLETED');
    expect(volunteer.leases).toHaveLength(1);
    expect((await workerList(coordinator)).quarantined).toEqual([]);
  });

  it('answers 400 for a body it does not know', async () => {
    const coordinator = await start();
    await expectError(await api(coordinator, 'POST', '/api/v1/workers/w_x/quarantine', { because: 'x' }), 400, 'invalid_spec');
  });
});

async function listJobIds(coordinator: Coordinator): Promise<string[]> {
  const body = (await (await api(coordinator, 'GET', '/api/v1/jobs')).json()) as { jobs: { id: string }[] };
  return body.jobs.map((job) => job.id);
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
