import type { JobEventRecord, LogRecord } from '../store/index.js';

type Listener<T> = (value: T) => void;

/** Live job events and task logs, for followers (`?follow=1`, Server-Sent Events). */
export class JobFeed {
  private readonly events = new Map<string, Set<Listener<JobEventRecord>>>();
  private readonly logs = new Map<string, Set<Listener<LogRecord>>>();

  onEvent(jobId: string, listener: Listener<JobEventRecord>): () => void {
    return subscribe(this.events, jobId, listener);
  }

  onLog(jobId: string, listener: Listener<LogRecord>): () => void {
    return subscribe(this.logs, jobId, listener);
  }

  publishEvent(event: JobEventRecord): void {
    for (const listener of this.events.get(event.jobId) ?? []) listener(event);
  }

  publishLog(log: LogRecord): void {
    for (const listener of this.logs.get(log.jobId) ?? []) listener(log);
  }
}

function subscribe<T>(map: Map<string, Set<Listener<T>>>, jobId: string, listener: Listener<T>): () => void {
  let set = map.get(jobId);
  if (!set) map.set(jobId, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) map.delete(jobId);
  };
}
