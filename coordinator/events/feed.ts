import type { JobEventRecord, LogRecord } from '../store/index.js';

type Listener<T> = (value: T) => void;

/**
 * Live job events and task logs, for followers (`?follow=1`, Server-Sent Events); and, for the
 * admin panel's feed, word that some job changed (its state, or a task's) or that the workers'
 * leases changed, without what changed: a listener reads the current status itself.
 */
export class JobFeed {
  private readonly events = new Map<string, Set<Listener<JobEventRecord>>>();
  private readonly logs = new Map<string, Set<Listener<LogRecord>>>();
  private readonly jobChanges = new Set<Listener<string>>();
  private readonly workerChanges = new Set<Listener<void>>();
  private readonly allEvents = new Set<Listener<JobEventRecord>>();

  onEvent(jobId: string, listener: Listener<JobEventRecord>): () => void {
    return subscribe(this.events, jobId, listener);
  }

  onLog(jobId: string, listener: Listener<LogRecord>): () => void {
    return subscribe(this.logs, jobId, listener);
  }

  /** Told every job's events, once committed (the coordinator's log). */
  onAnyEvent(listener: Listener<JobEventRecord>): () => void {
    this.allEvents.add(listener);
    return () => this.allEvents.delete(listener);
  }

  /** Told the id of any job whose state (once committed) or one of whose tasks' states (at once, in memory) changed. */
  onJobChange(listener: Listener<string>): () => void {
    this.jobChanges.add(listener);
    return () => this.jobChanges.delete(listener);
  }

  /** Told when a worker came or went, or a lease was granted or ended. */
  onWorkersChange(listener: Listener<void>): () => void {
    this.workerChanges.add(listener);
    return () => this.workerChanges.delete(listener);
  }

  publishEvent(event: JobEventRecord): void {
    for (const listener of this.events.get(event.jobId) ?? []) listener(event);
    for (const listener of this.allEvents) listener(event);
    this.publishJobChange(event.jobId);
  }

  publishLog(log: LogRecord): void {
    for (const listener of this.logs.get(log.jobId) ?? []) listener(log);
  }

  publishJobChange(jobId: string): void {
    for (const listener of this.jobChanges) listener(jobId);
  }

  publishWorkersChange(): void {
    for (const listener of this.workerChanges) listener();
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
