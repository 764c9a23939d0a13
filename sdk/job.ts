import { z } from 'zod';
import { ItemResult, JobStatus, LogEntry, TaskStatus, isTerminal } from '../shared/index.js';
import { JobFailedError, TabgridError, TimeoutError } from './errors.js';
import { readNdjson } from './ndjson.js';
import type { RestClient } from './rest.js';
import { sleep } from './sleep.js';

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
}

/** Options of calls that only read. */
export interface ReadOptions {
  /** Abort the request. */
  signal?: AbortSignal;
}

const ENDING_WORDS = { FAILED: 'failed', CANCELLED: 'was cancelled', REJECTED: 'was rejected' } as const;

const TaskList = z.object({ tasks: z.array(TaskStatus) });

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
  readonly #rest: RestClient;
  readonly #pollIntervalMs: number;

  constructor(id: string, rest: RestClient, pollIntervalMs: number) {
    this.id = id;
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
   * Polls until the job ends. Resolves its final status when it completed; rejects with
   * `JobFailedError` when it failed, was cancelled or rejected (`message` says why),
   * and with `TimeoutError` after `timeoutMs`.
   * @example
   * const final = await job.wait({ timeoutMs: 120_000 });
   * console.log(final.progress.done, 'tasks done');
   */
  async wait(options: WaitOptions = {}): Promise<JobStatus> {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new TabgridError(`timeoutMs must be >= 0, got ${timeoutMs}`);
    const deadline = new AbortController();
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => deadline.abort(), timeoutMs);
    const waitSignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    try {
      return await this.#pollUntilEnded(waitSignal);
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
   * One status per task: state, attempts, the worker holding it, its last error.
   * @example const failed = (await job.tasks()).filter((task) => task.state === 'failed');
   */
  async tasks(options: ReadOptions = {}): Promise<TaskStatus[]> {
    const { tasks } = await this.#rest.json(TaskList, this.#path('/tasks'), { signal: options.signal });
    return tasks;
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
   * Cancels the job: no more tasks are handed out, running ones are revoked.
   * Rejects with an `HTTPError` (status 409) when the job has already ended.
   * @example const { state } = await job.cancel(); // 'CANCELLED'
   */
  cancel(): Promise<JobStatus> {
    return this.#rest.json(JobStatus, this.#path('/cancel'), { method: 'POST' });
  }

  async #pollUntilEnded(signal: AbortSignal): Promise<JobStatus> {
    for (;;) {
      const status = await this.status({ signal });
      if (isTerminal(status.state)) return this.#settle(status);
      await sleep(this.#pollIntervalMs, signal);
    }
  }

  #settle(status: JobStatus): JobStatus {
    if (status.state === 'COMPLETED') return status;
    const state = status.state === 'CANCELLED' || status.state === 'REJECTED' ? status.state : 'FAILED';
    const fallback = `job ${this.id} ${ENDING_WORDS[state]}`;
    throw new JobFailedError({
      jobId: this.id,
      state,
      message: status.error?.message ?? fallback,
      taskIndex: status.error?.taskIndex,
    });
  }

  #path(suffix: string): string {
    return `/api/v1/jobs/${encodeURIComponent(this.id)}${suffix}`;
  }
}
