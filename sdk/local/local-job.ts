import { isTerminal, type ItemResult, type JobEvent, type JobStatus, type LogEntry, type TaskStatus } from '../../shared/index.js';
import { TabgridError, TimeoutError } from '../errors.js';
import { settle } from '../job-end.js';
import type { FollowOptions, ReadOptions, WaitOptions } from '../job.js';
import type { LocalJobRecord } from './local-record.js';

/**
 * A job running in this process (`runMode: 'local'`), with the surface of a remote `Job`:
 * the same calls answer the same shapes, so code that submits, waits and reads results does
 * not change when a job runs locally.
 * @example
 * const job = await runLocally({ name: 'squares', code: 'export default (x) => x * x', input: { items: [1, 2, 3] } });
 * await job.wait();
 * for await (const { index, output } of job.results()) console.log(index, output);
 */
export class LocalJob {
  /** `local_...`: local jobs are never known to a coordinator. */
  readonly id: string;
  /** Local jobs are always new (an `idempotencyKey` means nothing here). */
  readonly existing = false;
  readonly #record: LocalJobRecord;

  constructor(record: LocalJobRecord) {
    this.id = record.id;
    this.#record = record;
  }

  /** The job's state and progress now. */
  status(_options: ReadOptions = {}): Promise<JobStatus> {
    return Promise.resolve(this.#record.status());
  }

  /**
   * Resolves the final status once the job completed; rejects with `JobFailedError` when it
   * failed or was cancelled, and with `TimeoutError` after `timeoutMs` (the job keeps running).
   * @example const final = await job.wait({ timeoutMs: 60_000 });
   */
  async wait(options: WaitOptions = {}): Promise<JobStatus> {
    const { timeoutMs, signal } = options;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new TabgridError(`timeoutMs must be >= 0, got ${timeoutMs}`);
    signal?.throwIfAborted();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const stops = new Promise<never>((_resolve, reject) => {
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => reject(new TimeoutError(`job ${this.id} did not end within ${timeoutMs} ms`, timeoutMs)), timeoutMs);
      }
      onAbort = () => reject(signal?.reason as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.#record.ended, stops]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
    return settle(this.#record.status());
  }

  /**
   * The outputs of finished items (or tasks of range and blob jobs), `{ index, output }` in
   * index order; the reduce step's output is `result()`.
   */
  async *results(_options: ReadOptions = {}): AsyncGenerator<ItemResult> {
    await Promise.resolve();
    for (const task of this.#record.tasks) {
      if (task.reduce || !task.outputs) continue;
      yield* task.outputs.map((output, offset) => ({ index: task.firstItem + offset, output }));
    }
  }

  /**
   * The reduce step's output, once the job completed.
   * @throws {TabgridError} when the job has no reduce step, or has not completed
   */
  result(_options: ReadOptions = {}): Promise<unknown> {
    const reduce = this.#record.tasks.find((task) => task.reduce);
    if (!reduce) return Promise.reject(new TabgridError(`job ${this.id} has no reduce step`));
    const { state } = this.#record;
    if (state !== 'COMPLETED') return Promise.reject(new TabgridError(`job ${this.id} is ${state}: its result comes when it completes`));
    return Promise.resolve(reduce.outputs?.[0] ?? null);
  }

  /** One status per task: state, attempts, last error. */
  tasks(_options: ReadOptions = {}): Promise<TaskStatus[]> {
    return Promise.resolve(this.#record.taskStatuses());
  }

  /** The job's log lines so far: `ctx.log` of its tasks and the runner's own. */
  async *logs(_options: ReadOptions = {}): AsyncGenerator<LogEntry> {
    await Promise.resolve();
    yield* [...this.#record.logs];
  }

  /** The job's log lines, those so far and then each as it is written, until the job ends. */
  followLogs(options: FollowOptions = {}): AsyncGenerator<LogEntry> {
    return this.#follow(this.#record.logs, options.signal);
  }

  /** The job's state transitions so far. */
  events(_options: ReadOptions = {}): Promise<JobEvent[]> {
    return Promise.resolve([...this.#record.events]);
  }

  /** The job's state transitions, those so far and then each as it happens, until the job ends. */
  followEvents(options: FollowOptions = {}): AsyncGenerator<JobEvent> {
    return this.#follow(this.#record.events, options.signal);
  }

  /**
   * Pauses the job: the running task finishes, the next one waits for `resume()`.
   * @throws {TabgridError} unless the job is PENDING or RUNNING
   */
  pause(_options: ReadOptions = {}): Promise<JobStatus> {
    const { state } = this.#record;
    if (state !== 'PENDING' && state !== 'RUNNING') {
      return Promise.reject(new TabgridError(`job ${this.id} is ${state}: only PENDING or RUNNING jobs can be paused`));
    }
    this.#record.transition('PAUSED', 'paused');
    return this.status();
  }

  /**
   * Resumes a paused job.
   * @throws {TabgridError} unless the job is PAUSED
   */
  resume(_options: ReadOptions = {}): Promise<JobStatus> {
    const { state } = this.#record;
    if (state !== 'PAUSED') return Promise.reject(new TabgridError(`job ${this.id} is ${state}, not PAUSED`));
    this.#record.transition('RUNNING', 'resumed');
    return this.status();
  }

  /**
   * Cancels the job: the running attempt is abandoned and no further task starts.
   * @throws {TabgridError} when the job has already ended
   */
  async cancel(_options: ReadOptions = {}): Promise<JobStatus> {
    const { state } = this.#record;
    if (isTerminal(state)) throw new TabgridError(`job ${this.id} is already ${state}`);
    this.#record.cancel();
    await this.#record.ended;
    return this.#record.status();
  }

  async *#follow<T>(entries: readonly T[], signal: AbortSignal | undefined): AsyncGenerator<T> {
    const stop = signal ? aborted(signal) : undefined;
    stop?.catch(() => {});
    let seen = 0;
    for (;;) {
      while (seen < entries.length) yield entries[seen++]!;
      if (this.#record.isEnded) return;
      signal?.throwIfAborted();
      const change = this.#record.nextChange();
      await (stop ? Promise.race([change, stop]) : change);
    }
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}
