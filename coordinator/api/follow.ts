import type { Context } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { isTerminal, type JobEvent, type LogEntry } from '../../shared/index.js';
import type { JobEventRecord, LogRecord } from '../store/index.js';
import type { ApiDeps } from './deps.js';

export function jobEvent(event: JobEventRecord): JobEvent {
  return { id: event.id, time: new Date(event.time).toISOString(), from: event.from, to: event.to, reason: event.reason };
}

export function logEntry(log: LogRecord): LogEntry {
  return { time: new Date(log.time).toISOString(), level: log.level, taskIndex: log.taskIndex, workerId: log.workerId, message: log.message };
}

const KEEPALIVE_MS = 15_000;

/** A queue that a stream awaits: live items arrive while the backlog is being sent. */
class Inbox<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  closed = false;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async take(): Promise<T[]> {
    while (this.items.length === 0 && !this.closed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, KEEPALIVE_MS);
      });
      clearTimeout(timer);
      this.wake = undefined;
      if (this.items.length === 0) return [];
    }
    const items = this.items;
    this.items = [];
    return items;
  }
}

/** `GET /jobs/:id/events?follow=1`: the events so far, then each new one, until the job ends. */
export function followEvents(c: Context, deps: ApiDeps, jobId: string): Response {
  return streamSSE(c, async (stream) => {
    const inbox = new Inbox<JobEventRecord>();
    const unsubscribe = deps.scheduler.feed.onEvent(jobId, (event) => inbox.push(event));
    stream.onAbort(() => inbox.close());
    try {
      let lastId = 0;
      let ended = false;
      const send = async (event: JobEventRecord): Promise<void> => {
        if (event.id <= lastId) return;
        lastId = event.id;
        ended ||= isTerminal(event.to);
        await stream.writeSSE({ event: 'state', id: String(event.id), data: JSON.stringify(jobEvent(event)) });
      };
      for (const event of await deps.store.listJobEvents(jobId)) await send(event);
      while (!ended && !inbox.closed) {
        const events = await inbox.take();
        if (events.length === 0) await keepalive(stream);
        for (const event of events) await send(event);
      }
      await stream.writeSSE({ event: 'end', data: '{}' });
    } finally {
      unsubscribe();
    }
  });
}

/** `GET /jobs/:id/logs?follow=1`: the task logs so far, then each new line, until the job ends. */
export function followLogs(c: Context, deps: ApiDeps, jobId: string): Response {
  return streamSSE(c, async (stream) => {
    const inbox = new Inbox<LogRecord | 'ended'>();
    const unsubscribeLogs = deps.scheduler.feed.onLog(jobId, (log) => inbox.push(log));
    const unsubscribeEvents = deps.scheduler.feed.onEvent(jobId, (event) => {
      if (isTerminal(event.to)) inbox.push('ended');
    });
    stream.onAbort(() => inbox.close());
    try {
      let lastId = 0;
      const send = async (log: LogRecord): Promise<void> => {
        if (log.id <= lastId) return;
        lastId = log.id;
        await stream.writeSSE({ event: 'log', id: String(log.id), data: JSON.stringify(logEntry(log)) });
      };
      await deps.scheduler.flushLogs();
      for (const log of await deps.store.listLogs(jobId)) await send(log);
      let ended = !deps.scheduler.liveJob(jobId);
      while (!ended && !inbox.closed) {
        const items = await inbox.take();
        if (items.length === 0) await keepalive(stream);
        for (const item of items) {
          if (item === 'ended') ended = true;
          else await send(item);
        }
      }
      // Lines a task sent just before the job ended may still be in the write buffer.
      await deps.scheduler.flushLogs();
      for (const log of await deps.store.listLogs(jobId, lastId)) await send(log);
      await stream.writeSSE({ event: 'end', data: '{}' });
    } finally {
      unsubscribeLogs();
      unsubscribeEvents();
    }
  });
}

async function keepalive(stream: SSEStreamingApi): Promise<void> {
  await stream.write(': keepalive\n\n');
}
