import { describe, expect, it } from 'vitest';
import { JobStatus, LogEntry, type LogLevel } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, expectError, readBody, readNdjson, serverCaller, useRealServers, type RealWorker } from '../test-helpers.js';
import { useSseReaders } from './test-support.js';

// `GET /jobs/:id/logs?task&level&text&limit`, plain and followed, over a real server and a real
// worker socket.

const { start, connectWorker } = useRealServers();
const openSse = useSseReaders();

async function submit(coordinator: Coordinator, items: number[]): Promise<JobStatus> {
  const response = await serverCaller(coordinator)('POST', '/api/v1/jobs', { json: { name: 'logged', code: DOUBLE_CODE, input: { items } } });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

/** A worker holding a lease of each of the job's `tasks` tasks. */
async function leasing(coordinator: Coordinator, tasks: number): Promise<{ worker: RealWorker; leases: string[] }> {
  const worker = await connectWorker(coordinator);
  await worker.hello();
  for (let n = 0; n < tasks; n++) worker.send({ type: 'ask' });
  await worker.received.waitFor('lease', tasks);
  return { worker, leases: worker.received.of('lease').map((lease) => lease.leaseId) };
}

/** Sends log lines, then waits for a checkpoint's answer: the socket's messages are handled in order, so the lines are in. */
async function log(worker: RealWorker, lines: [leaseId: string, level: LogLevel, message: string][]): Promise<void> {
  for (const [leaseId, level, message] of lines) worker.send({ type: 'log', leaseId, level, message });
  const answered = worker.received.of('checkpointed').length + 1;
  worker.send({ type: 'checkpoint', leaseId: lines[0]![0], seq: answered, state: { user: answered } });
  await worker.received.waitFor('checkpointed', answered);
}

describe('GET /jobs/:id/logs filters', () => {
  it('filters by task, by level and above, by text in any case, keeps the newest lines, and combines them', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, [1, 2]);
    const { worker, leases } = await leasing(coordinator, 2);
    const [task0, task1] = leases as [string, string];
    await log(worker, [
      [task0, 'info', 'loss is NaN'],
      [task0, 'debug', 'step 1'],
      [task1, 'warn', 'slow step'],
      [task1, 'error', 'NaN again'],
      [task0, 'error', 'gave up'],
    ]);
    const messages = async (query: string) =>
      (await readNdjson(await serverCaller(coordinator)('GET', `/api/v1/jobs/${job.id}/logs${query}`), LogEntry)).map((entry) => entry.message);

    expect(await messages('')).toEqual(['loss is NaN', 'step 1', 'slow step', 'NaN again', 'gave up']);
    expect(await messages('?task=0')).toEqual(['loss is NaN', 'step 1', 'gave up']);
    expect(await messages('?level=warn')).toEqual(['slow step', 'NaN again', 'gave up']);
    expect(await messages('?level=debug')).toHaveLength(5);
    expect(await messages('?text=nan')).toEqual(['loss is NaN', 'NaN again']);
    expect(await messages('?limit=2')).toEqual(['NaN again', 'gave up']);
    expect(await messages('?task=1&level=error&text=NAN')).toEqual(['NaN again']);
    expect(await messages('?task=0&level=info&limit=2')).toEqual(['loss is NaN', 'gave up']);
    expect(await messages('?task=5')).toEqual([]);

    for (const bad of ['level=loud', 'text=', `text=${'x'.repeat(201)}`, 'limit=0', 'limit=10001', 'task=x', 'task=-1', 'sort=time']) {
      expect((await expectError(await serverCaller(coordinator)('GET', `/api/v1/jobs/${job.id}/logs?${bad}`), 400, 'invalid_query')).detail).toMatch(/^invalid query: /);
    }
  });

  it('applies the same filters to a followed log: to the lines so far and to each new one', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, [1]);
    const { worker, leases } = await leasing(coordinator, 1);
    const [lease] = leases as [string];
    await log(worker, [
      [lease, 'info', 'first nan'],
      [lease, 'info', 'a NaN'],
      [lease, 'warn', 'b'],
    ]);

    const follow = async (query: string) => openSse(await serverCaller(coordinator)('GET', `/api/v1/jobs/${job.id}/logs?follow=1&${query}`));
    const warnings = await follow('level=warn');
    const nans = await follow('text=nan&limit=1');
    const read = async (stream: Awaited<ReturnType<typeof follow>>): Promise<string[]> => {
      const seen: string[] = [];
      for (let event = await stream.next(); event?.event === 'log'; event = await stream.next()) seen.push(LogEntry.parse(JSON.parse(event.data)).message);
      return seen;
    };

    await log(worker, [
      [lease, 'info', 'c nan'],
      [lease, 'error', 'd NaN'],
      [lease, 'debug', 'e'],
    ]);
    worker.send({ type: 'result', leaseId: lease, outputs: [2] });
    expect(await read(warnings)).toEqual(['b', 'd NaN']);
    expect(await read(nans)).toEqual(['a NaN', 'c nan', 'd NaN']);
  });
});
