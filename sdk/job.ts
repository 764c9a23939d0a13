import type { z } from 'zod';
import {
  ItemResult,
  JobEvent,
  JobEventList,
  JobStatus,
  LogEntry,
  ReduceResult,
  RejectedJobProblem,
  TaskDetail,
  TaskPage,
  isTerminal,
  taskPagePath,
  type PriorityBody,
  type RunModeBody,
  type TaskState,
  type TaskStatus,
} from '../shared/index.js';
import { JobRejectedError, NetworkError, TabgridError, TimeoutError, isHTTPError } from './errors.js';
import { settle } from './job-end.js';
import { followJobStatus } from './job-feed.js';
import { readNdjson } from './ndjson.js';
import { OutageBudget } from './rest.js';
import type { RestClient } from './rest.js';
import { sleep } from './sleep.js';
import { parseData, readSse, sseOf } from './sse.js';

/** How long `wait()` and the `follow...()` streams ride out a coordinator that is away. */
export const DEFAULT_MAX_OUTAGE_MS = 120_000;

/** How long `wait()` follows the job's events before it reads the status again (a silent connection is not followed forever). */
const EVENT_WATCH_MS = 20_000;

/** Options of `Job.wait()`. */
export interface WaitOptions {
  /**
   * Give up with a `TimeoutError` after this long. The job keeps running.
   * @default no limit
   * @example await job.wait({ timeoutMs: 60_000 })
   */
  timeoutMs?: number;
  /**
   * Stop waiting when this signal aborts; `wait()` then rejects with the signal's reason.
   * @example await job.wait({ signal: AbortSignal.timeout(5_000) })
   */
  signal?: AbortSignal;
  /**
   * How long the coordinator may be unreachable (no answer, or a 5xx) while waiting, e.g. during
   * a restart: polling goes on with backoff meanwhile. Longer than this, `wait()` rejects with
   * the last `NetworkError` or `HTTPError`. A coordinator that never answered fails at once.
   * @default 120000
   * @example await job.wait({ maxOutageMs: 600_000 }) // ride out a slow restart
   */
  maxOutageMs?: number;
}

/** Options of calls that only read. */
export interface ReadOptions {
  /** Abort the request. */
  signal?: AbortSignal;
}

/** Options of `Job.followEvents()` and `Job.followLogs()`. */
export interface FollowOptions {
  /**
   * Stop following when this signal aborts; the iteration then rejects with the signal's reason.
   * Breaking out of the loop stops it too.
   * @example for await (const event of job.followEvents({ signal: AbortSignal.timeout(60_000) })) console.log(event.to);
   */
  signal?: AbortSignal;
  /**
   * How long to keep reconnecting when the stream breaks or the coordinator is unreachable
   * (a restart); entries already seen are not repeated.
   * @default 120000
   */
  maxOutageMs?: number;
}


/**
 * A submitted job, by id. Made by `grid.submit(spec)` or `grid.job(id)`; holds no state of
 * its own, so every call asks the coordinator afresh.
 * @example
 * const job = await grid.submit({ name: 'squares', code, input: { items: [1, 2, 3] } });
 * await job.wait();
 * for await (const { index, output } of job.results()) console.log(index, output);
 */
export class Job {
  /** The job's id, as the coordinator gave it. */
  readonly id: string;
  /**
   * True when `submit()` found a job submitted before with the same `idempotencyKey` and
   * returned it instead of making a new one.
   */
  readonly existing: boolean;
  readonly #rest: RestClient;
  readonly #pollIntervalMs: number;

  constructor(id: string, rest: RestClient, pollIntervalMs: number, existing = false) {
    this.id = id;
    this.existing = existing;
    this.#rest = rest;
    this.#pollIntervalMs = pollIntervalMs;
  }

  /**
   * The job's state and progress now.
   * @example const { state, progress } = await job.status(); // 'RUNNING', { done: 3, total: 10, ... }
   */
  status(options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path(''), { signal: options.signal });
  }

  /**
   * Follows the job's state events until it ends (reading its status then, and when the stream
   * cannot be read, every poll interval). Resolves its final status when it completed; rejects with
   * `JobFailedError` when it failed, was cancelled or rejected (`message` says why),
   * and with `TimeoutError` after `timeoutMs`. A coordinator that restarts meanwhile is
   * waited for (see `maxOutageMs`).
   * @example
   * const final = await job.wait({ timeoutMs: 120_000 });
   * console.log(final.progress.done, 'tasks done');
   */
  async wait(options: WaitOptions = {}): Promise<JobStatus> {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new TabgridError(`timeoutMs must be >= 0, got ${timeoutMs}`);
    const outage = this.#outageBudget(options.maxOutageMs);
    const deadline = new AbortController();
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => deadline.abort(), timeoutMs);
    const waitSignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    try {
      return await this.#pollUntilEnded(waitSignal, outage);
    } catch (error) {
      if (deadline.signal.aborted && !signal?.aborted) {
        throw new TimeoutError(`job ${this.id} did not end within ${timeoutMs} ms`, timeoutMs ?? 0);
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The outputs of finished items, `{ index, output }` in index order, read line by line
   * as they stream in. Breaking out of the loop ends the download.
   * @example
   * for await (const { index, output } of job.results()) outputs[index] = output;
   */
  async *results(options: ReadOptions = {}): AsyncGenerator<ItemResult> {
    const path = this.#path('/results');
    const response = await this.#rest.send(path, { signal: options.signal });
    yield* readNdjson(response, ItemResult, this.#rest.urlOf(path));
  }

  /**
   * One status per task (only those in `state`, if given): state, attempts, the worker holding
   * it, its last error. Read page after page (`GET /jobs/:id/tasks`).
   * @example const failed = await job.tasks({ state: ['failed'] });
   */
  async tasks(options: ReadOptions & { state?: TaskState[] } = {}): Promise<TaskStatus[]> {
    const tasks: TaskStatus[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#rest.json(TaskPage, taskPagePath(this.id, { cursor, state: options.state }), { signal: options.signal });
      tasks.push(...page.tasks);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tasks;
  }

  /**
   * One task in full, as the admin panel shows it: its state and items, its attempts (failed and
   * lost), the workers that held it, its last error. Rejects with an `HTTPError` (404) for an index
   * the job does not have.
   * @example
   * const { error } = await job.status();
   * if (error?.taskIndex !== undefined) console.log((await job.task(error.taskIndex)).attempts);
   */
  task(index: number, options: ReadOptions = {}): Promise<TaskDetail> {
    return this.#rest.json(TaskDetail, this.#path(`/tasks/${index}`), { signal: options.signal });
  }

  /**
   * The job's log lines (from `ctx.log` in tasks, and the coordinator), streamed.
   * @example for await (const entry of job.logs()) console.log(entry.level, entry.message);
   */
  async *logs(options: ReadOptions = {}): AsyncGenerator<LogEntry> {
    const path = this.#path('/logs');
    const response = await this.#rest.send(path, { signal: options.signal });
    yield* readNdjson(response, LogEntry, this.#rest.urlOf(path));
  }

  /**
   * The job's log as it grows: the lines so far, then each new one, until the job ends
   * (a job that has ended gives its whole log and stops).
   * @example for await (const entry of job.followLogs()) console.log(entry.message);
   */
  async *followLogs(options: FollowOptions = {}): AsyncGenerator<LogEntry> {
    yield* this.#follow('/logs', 'log', LogEntry, options);
  }

  /**
   * Every state change of the job so far: `{ id, time, from, to, reason }`, oldest first.
   * @example for (const { from, to, reason } of await job.events()) console.log(from, '->', to, reason);
   */
  async events(options: ReadOptions = {}): Promise<JobEvent[]> {
    return (await this.#rest.json(JobEventList, this.#path('/events'), { signal: options.signal })).events;
  }

  /**
   * The job's state changes as they happen: the ones so far, then each new one; the iteration
   * ends after the job reaches COMPLETED, FAILED, CANCELLED or REJECTED.
   * @example
   * for await (const event of job.followEvents()) console.log(`${event.from ?? '-'} -> ${event.to}: ${event.reason}`);
   */
  async *followEvents(options: FollowOptions = {}): AsyncGenerator<JobEvent> {
    yield* this.#follow('/events', 'state', JobEvent, options);
  }

  /**
   * The job's status now, then again as it changes (at most once a second, pushed by the
   * coordinator's feed of this job: no polling), until it ends; the last one is its final status. A coordinator
   * that is away meanwhile is waited for (see `maxOutageMs`).
   * @example
   * for await (const { state, progress } of job.followStatus()) console.log(state, `${progress.done}/${progress.total}`);
   */
  followStatus(options: FollowOptions = {}): AsyncGenerator<JobStatus> {
    return followJobStatus(this.#rest, this.id, (signal) => this.status({ signal }), this.#outageBudget(options.maxOutageMs), options.signal);
  }

  /**
   * The output of the job's `reduce` step. Rejects with an `HTTPError`: 404 `not_found` when
   * the job has no reduce step, 409 `conflict` when it has not COMPLETED (yet).
   * @example
   * await job.wait();
   * const total = (await job.result()) as number;
   */
  async result(options: ReadOptions = {}): Promise<unknown> {
    return (await this.#rest.json(ReduceResult, this.#path('/result'), { signal: options.signal })).result;
  }

  /**
   * Cancels the job: no more tasks are handed out, running ones are revoked.
   * Rejects with an `HTTPError` (409 `conflict`) when the job has already ended.
   * @example const { state } = await job.cancel(); // 'CANCELLED'
   */
  cancel(options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/cancel'), { method: 'POST', signal: options.signal });
  }

  /**
   * Pauses a PENDING or RUNNING job: no new tasks are handed out (running ones finish) until
   * `resume()`. Rejects with an `HTTPError` (409 `conflict`) for a job in any other state.
   * @example const { state, waitingReason } = await job.pause(); // 'PAUSED', 'paused: ...'
   */
  pause(options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/pause'), { method: 'POST', signal: options.signal });
  }

  /**
   * Lets a PAUSED job (paused by `pause()` or submitted with `runMode: 'paused'`) run again.
   * Rejects with an `HTTPError` (409 `conflict`) when the job is not paused.
   * @example const { state } = await job.resume(); // 'PENDING' or 'RUNNING'
   */
  resume(options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/resume'), { method: 'POST', signal: options.signal });
  }

  /**
   * Runs a FAILED job again: its failed tasks, and those cancelled when it failed, are tried anew
   * (with a fresh retry budget) and it is PENDING until a worker takes one. Jobs that failed
   * because this one failed stay failed. Rejects with an `HTTPError` (409 `conflict`) for a job in
   * any other state.
   * @example
   * const { state } = await job.retryFailed(); // 'PENDING'
   * await job.wait();
   */
  retryFailed(options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/retry'), { method: 'POST', signal: options.signal });
  }

  /**
   * Submits this job's spec again (without its `idempotencyKey`, at its priority now) as a new job,
   * through every policy a submit meets: a job refused by policy rejects with `JobRejectedError`.
   * Works for a job in any state but REJECTED (its spec was not kept: 409).
   * @example
   * const again = await job.resubmit();
   * await again.wait();
   */
  async resubmit(options: ReadOptions = {}): Promise<Job> {
    const status = await this.#rest.json(JobStatus, this.#path('/resubmit'), { method: 'POST', signal: options.signal }).catch(rethrowRejection);
    return new Job(status.id, this.#rest, this.#pollIntervalMs);
  }

  /**
   * Gives a job that has not ended another priority (-1000..1000; higher runs first): the next
   * tasks handed out follow the new order. Rejects with an `HTTPError`: 400 `invalid_spec` out of
   * bounds, 409 `conflict` for a job that has ended.
   * @example const { priority } = await job.setPriority(10); // 10
   */
  setPriority(priority: PriorityBody['priority'], options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/priority'), { method: 'POST', json: { priority }, signal: options.signal });
  }

  /**
   * Switches a job that has not ended to `debug` mode (its tasks one at a time, only to workers
   * that joined with debug on) or back to `immediate`; the mode survives a coordinator restart.
   * Rejects with an `HTTPError`: 400 `invalid_spec` for a gang job, 409 `conflict` for a job that has ended.
   * @example const { runMode } = await job.setRunMode('debug'); // 'debug'
   */
  setRunMode(runMode: RunModeBody['runMode'], options: ReadOptions = {}): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/run-mode'), { method: 'POST', json: { runMode }, signal: options.signal });
  }

  async #pollUntilEnded(signal: AbortSignal, outage: OutageBudget): Promise<JobStatus> {
    for (;;) {
      let status: JobStatus;
      try {
        status = await this.status({ signal });
        outage.answered();
      } catch (error) {
        if (signal.aborted) throw error;
        await sleep(outage.retryDelay(error), signal);
        continue;
      }
      if (isTerminal(status.state)) return settle(status);
      await this.#untilEndEvent(signal);
    }
  }

  /**
   * Waits until the job's event stream says it ended, `EVENT_WATCH_MS` at most (so that a
   * connection gone silent is noticed); a stream that cannot be read waits the poll interval
   * instead. Either way the caller reads the status next: one read per end, not one per interval.
   */
  async #untilEndEvent(signal: AbortSignal): Promise<void> {
    const watch = AbortSignal.any([signal, AbortSignal.timeout(EVENT_WATCH_MS)]);
    try {
      const response = await this.#rest.send(this.#path('/events?follow=1'), { accept: 'text/event-stream', signal: watch });
      for await (const message of readSse(response.body, watch)) if (message.event === 'end') return;
    } catch (error) {
      if (signal.aborted) throw error;
      if (watch.aborted) return;
    }
    await sleep(this.#pollIntervalMs, signal);
  }

  /**
   * Follows an SSE stream of the job until its `end` event. When the stream breaks or the
   * coordinator is away, it reconnects (the coordinator replays from the start) and skips the
   * entries whose `id:` it has already yielded.
   */
  async *#follow<T extends z.ZodType>(suffix: string, eventName: string, schema: T, options: FollowOptions): AsyncGenerator<z.output<T>> {
    const { signal } = options;
    const path = this.#path(`${suffix}?follow=1`);
    const url = this.#rest.urlOf(path);
    const outage = this.#outageBudget(options.maxOutageMs);
    let lastId = -Infinity;
    for (;;) {
      try {
        const response = await this.#rest.send(path, { accept: 'text/event-stream', signal });
        outage.answered();
        for await (const message of sseOf(response, url, signal)) {
          if (message.event === 'end') return;
          if (message.event !== eventName) continue;
          const id = message.id === undefined || message.id === '' ? Number.NaN : Number(message.id);
          if (id <= lastId) continue;
          if (!Number.isNaN(id)) lastId = id;
          yield parseData(message, schema, url);
        }
        throw new NetworkError(`the stream from ${url} ended before the job did`, url, undefined);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        await sleep(outage.retryDelay(error), signal);
      }
    }
  }

  #outageBudget(maxOutageMs = DEFAULT_MAX_OUTAGE_MS): OutageBudget {
    if (!(maxOutageMs >= 0)) throw new TabgridError(`maxOutageMs must be >= 0, got ${maxOutageMs}`);
    return new OutageBudget(maxOutageMs, this.#pollIntervalMs);
  }

  #path(suffix: string): string {
    return `/api/v1/jobs/${encodeURIComponent(this.id)}${suffix}`;
  }
}

/** A 413 or 429 answering a submit carries the REJECTED job's status as the problem's `job`: raise it as `JobRejectedError`. */
export function rethrowRejection(error: unknown): never {
  if (isHTTPError(error) && (error.status === 413 || error.status === 429)) {
    const rejection = RejectedJobProblem.safeParse(error.body);
    if (rejection.success && rejection.data.job.state === 'REJECTED') throw new JobRejectedError({ job: rejection.data.job, status: error.status, cause: error });
  }
  throw error;
}
