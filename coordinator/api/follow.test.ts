import { afterEach, describe, expect, it } from 'vitest';
import { JobEvent, JobStatus, LogEntry, type JobSpecInput } from '../../shared/index.js';
import type { Coordinator } from '../server.js';
import { DOUBLE_CODE, readBody, serverCaller, useRealServers, type RealWorker } from '../test-helpers.js';

// `?follow=1`: job events and task logs as Server-Sent Events, over a real server, real fetch
// and a real worker socket.

const { start, connectWorker } = useRealServers();
const readers = new Set<SseReader>();

afterEach(async () => {
  await Promise.all([...readers].map((reader) => reader.cancel()));
  readers.clear();
});

interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Reads a text/event-stream body one event at a time (comments, i.e. keepalives, skipped). */
class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(response: Response) {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    this.reader = response.body!.getReader();
    readers.add(this);
  }

  /** The next event, or undefined once the server ended the stream. */
  async next(timeoutMs = 10_000): Promise<SseEvent | undefined> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end !== -1) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const event = parseBlock(block);
        if (event) return event;
        continue;
      }
      const chunk = await withTimeout(this.reader.read(), timeoutMs);
      if (chunk.done) return undefined;
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next `count` events, each of which must be there. */
  async take(count: number): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let i = 0; i < count; i++) {
      const event = await this.next();
      if (!event) throw new Error(`the stream ended after ${events.length} of ${count} events: ${JSON.stringify(events)}`);
      events.push(event);
    }
    return events;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}

function parseBlock(block: string): SseEvent | undefined {
  const event: SseEvent = { event: 'message', data: '' };
  let any = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const [field, ...rest] = line.split(':');
    const value = rest.join(':').replace(/^ /, '');
    any = true;
    if (field === 'event') event.event = value;
    else if (field === 'data') event.data += value;
    else if (field === 'id') event.id = value;
  }
  return any ? event : undefined;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing on the stream for ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

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
  return new SseReader(await serverCaller(coordinator)('GET', `${path}?follow=1`));
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
    expect(transitionsOf(await stream.take(2))).toEqual(['∅→SUBMITTED: submitted', 'SUBMITTED→PENDING: accepted: 1 tasks']);

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
      'SUBMITTED→PENDING: accepted: 1 tasks',
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
    expect(transitionsOf(await stream.take(2)).at(-1)).toBe('RUNNING→FAILED: task 0 failed 1 times: division by zero');
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
