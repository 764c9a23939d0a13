import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { isTerminal, LogLevel, type JobEvent, type LogEntry, type LogQuery } from '../../shared/index.js';
import type { JobEventRecord, LogFilter, LogRecord } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { Inbox, keepalive } from './inbox.js';

export function jobEvent(event: JobEventRecord): JobEvent {
  return { id: event.id, time: new Date(event.time).toISOString(), from: event.from, to: event.to, reason: event.reason };
}

export function logEntry(log: LogRecord): LogEntry {
  return { time: new Date(log.time).toISOString(), level: log.level, taskIndex: log.taskIndex, workerId: log.workerId, message: log.message };
}

/** The store's filter for a `/logs` query: its task, its level and those above, its text, its newest `limit`. */
export function logFilter(query: LogQuery): LogFilter {
  const filter: LogFilter = {};
  if (query.task !== undefined) filter.taskIndex = query.task;
  if (query.level !== undefined) filter.levels = LogLevel.options.slice(LogLevel.options.indexOf(query.level));
  if (query.text !== undefined) filter.text = query.text;
  if (query.limit !== undefined) filter.newest = query.limit;
  return filter;
}

/** Whether a live line passes the filter as the store's read would let it through (`newest` aside). */
function passes(filter: LogFilter, log: LogRecord): boolean {
  return (
    (filter.taskIndex === undefined || log.taskIndex === filter.taskIndex) &&
    (filter.levels === undefined || filter.levels.includes(log.level)) &&
    (filter.text === undefined || log.message.toLowerCase().includes(filter.text.toLowerCase()))
  );
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
        // The last event says whether the job has ended: a failed job retried goes on after its FAILED event.
        ended = isTerminal(event.to);
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

/**
 * `GET /jobs/:id/logs?follow=1`: the task logs so far (the newest `limit` of them, with one),
 * then each new line, until the job ends; only the lines `filter` lets through.
 */
export function followLogs(c: Context, deps: ApiDeps, jobId: string, filter: LogFilter = {}): Response {
  const { newest: _newest, ...live } = filter;
  return streamSSE(c, async (stream) => {
    const inbox = new Inbox<LogRecord | 'ended'>();
    const unsubscribeLogs = deps.scheduler.feed.onLog(jobId, (log) => {
      if (passes(live, log)) inbox.push(log);
    });
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
      for (const log of await deps.store.listLogs(jobId, 0, filter)) await send(log);
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
      for (const log of await deps.store.listLogs(jobId, lastId, live)) await send(log);
      await stream.writeSSE({ event: 'end', data: '{}' });
    } finally {
      unsubscribeLogs();
      unsubscribeEvents();
    }
  });
}
