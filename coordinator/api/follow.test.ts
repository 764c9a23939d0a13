import { describe, expect, it } from 'vitest';
import { JobEvent, JobStatus, LogEntry, type JobSpecInput } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, readBody, serverCaller, useRealServers, type RealWorker } from '../test-helpers.js';
import { useSseReaders, type SseEvent, type SseReader } from './test-support.js';

// `?follow=1`: job events and task logs as Server-Sent Events, over a real server, real fetch
// and a real worker socket.

const { start, connectWorker } = useRealServers();
const openSse = useSseReaders();

const transitionsOf = (events: SseEvent[]): string[] =>
  events.map((sse) => {
    expect(sse.event).toBe('state');
    const event = JobEvent.parse(JSON.parse(sse.data));
    expect(sse.id).toBe(String(event.id));
    return `${event.from ?? '∅'}→${event.to}: ${event.reason}`;
  });

async function submit(coordinator: Coordinator, overrides: Partial<JobSpecInput> = {}): Promise<JobStatus> {
  const spec: JobSpecInput = { name: 'followed', code: DOUBLE_CODE, input: { items: [1] }, ...overrides };
  const response = await serverCaller(coordinator)('POST', '/api/v1/jobs', { json: spec });
  expect(response.status).toBe(201);
  return readBody(response, JobStatus);
}

async function follow(coordinator: Coordinator, path: string): Promise<SseReader> {
  return openSse(await serverCaller(coordinator)('GET', `${path}?follow=1`));
}

async function readyWorker(coordinator: Coordinator): Promise<RealWorker & { workerId: string }> {
  const worker = await connectWorker(coordinator);
  const { workerId } = await worker.hello();
  return Object.assign(worker, { workerId });
}

/** The end of a followed stream: `event: end`, then the server closes it. */
async function expectEnd(stream: SseReader): Promise<void> {
  expect(await stream.next()).toEqual({ event: 'end', data: '{}' });
  expect(await stream.next()).toBeUndefined();
}

describe('GET /jobs/:id/events?follow=1', () => {
  it('sends the events so far, then each new one, and ends after the terminal state', async () => {
    const coordinator = await start();
    const job = await submit(coordinator);
    const stream = await follow(coordinator, `/api/v1/jobs/${job.id}/events`);
    expect(transitionsOf(await stream.take(2))).toEqual(['∅→SUBMITTED: submitted', 'SUBMITTED→PENDING: accepted: 1 task']);

    const worker = await readyWorker(coordinator);
    worker.send({ type: 'ask' });
    const lease = await worker.received.waitFor('lease');
    expect(transitionsOf(await stream.take(1))).toEqual([`PENDING→RUNNING: task 0 leased to ${worker.workerId}`]);

    worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    expect(transitionsOf(await stream.take(1))).toEqual(['RUNNING→COMPLETED: all tasks done']);
    await expectEnd(stream);
  });

  it('sends the whole history of a finished job, then ends', async () => {
    const coordinator = await start();
    const job = await submit(coordinator);
    await serverCaller(coordinator)('POST', `/api/v1/jobs/${job.id}/cancel`);
    const stream = await follow(coordinator, `/api/v1/jobs/${job.id}/events`);
    expect(transitionsOf(await stream.take(3))).toEqual([
      '∅→SUBMITTED: submitted',
      'SUBMITTED→PENDING: accepted: 1 task',
      'PENDING→CANCELLED: cancelled',
    ]);
    await expectEnd(stream);
  });

  it('follows a paused job through resume and cancel', async () => {
    const coordinator = await start();
    const api = serverCaller(coordinator);
    const job = await submit(coordinator, { runMode: 'paused' });
    const stream = await follow(coordinator, `/api/v1/jobs/${job.id}/events`);
    expect(transitionsOf(await stream.take(3)).at(-1)).toBe('PENDING→PAUSED: submitted with runMode paused');
    expect((await api('POST', `/api/v1/jobs/${job.id}/resume`)).status).toBe(200);
    expect(transitionsOf(await stream.take(1))).toEqual(['PAUSED→PENDING: resumed']);
    expect((await api('POST', `/api/v1/jobs/${job.id}/cancel`)).status).toBe(200);
    expect(transitionsOf(await stream.take(1))).toEqual(['PENDING→CANCELLED: cancelled']);
    await expectEnd(stream);
  });

  it('ends with the failure and its reason', async () => {
    const coordinator = await start();
    const job = await submit(coordinator, { retry: { maxAttempts: 1, distinctWorkers: 1 } });
    const stream = await follow(coordinator, `/api/v1/jobs/${job.id}/events`);
    await stream.take(2);
    const worker = await readyWorker(coordinator);
    worker.send({ type: 'ask' });
    const lease = await worker.received.waitFor('lease');
    worker.send({ type: 'fail', leaseId: lease.leaseId, error: { message: 'division by zero' } });
    expect(transitionsOf(await stream.take(2)).at(-1)).toBe('RUNNING→FAILED: task 0 failed 1 time: division by zero');
    await expectEnd(stream);
  });
});

describe('GET /jobs/:id/logs?follow=1', () => {
  it('streams the task log lines a worker sends, and ends when the job ends', async () => {
    const coordinator = await start();
    const job = await submit(coordinator);
    const worker = await readyWorker(coordinator);
    worker.send({ type: 'ask' });
    const lease = await worker.received.waitFor('lease');
    worker.send({ type: 'log', leaseId: lease.leaseId, level: 'info', message: 'before the follower came' });

    const stream = await follow(coordinator, `/api/v1/jobs/${job.id}/logs`);
    const entry = (sse: SseEvent | undefined) => {
      expect(sse?.event).toBe('log');
      return LogEntry.parse(JSON.parse(sse!.data));
    };
    expect(entry(await stream.next())).toMatchObject({ level: 'info', message: 'before the follower came', taskIndex: 0, workerId: worker.workerId });

    worker.send({ type: 'log', leaseId: lease.leaseId, level: 'warn', message: 'live line' });
    expect(entry(await stream.next())).toMatchObject({ level: 'warn', message: 'live line' });

    // A line sent just before the result still comes before the end.
    worker.send({ type: 'log', leaseId: lease.leaseId, level: 'error', message: 'last words' });
    worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    expect(entry(await stream.next())).toMatchObject({ level: 'error', message: 'last words' });
    await expectEnd(stream);
  });

  it('sends the logs of a finished job, then ends', async () => {
    const coordinator = await start();
    const job = await submit(coordinator);
    const worker = await readyWorker(coordinator);
    worker.send({ type: 'ask' });
    const lease = await worker.received.waitFor('lease');
    worker.send({ type: 'log', leaseId: lease.leaseId, level: 'debug', message: 'kept' });
    worker.send({ type: 'result', leaseId: lease.leaseId, outputs: [2] });
    await worker.received.waitFor('ack');

    const stream = await follow(coordinator, `/api/v1/jobs/${job.id}/logs`);
    const first = await stream.next();
    expect(first?.event).toBe('log');
    expect(LogEntry.parse(JSON.parse(first!.data)).message).toBe('kept');
    await expectEnd(stream);
  });
});
