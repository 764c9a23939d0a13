import type { LogLevel, TaskLease } from '../shared/index.js';
import type { RunningTaskView } from './client-events.js';
import type { TaskExecutor } from './client-ports.js';
import type { CodeFetcher } from './code-fetcher.js';
import { failReport, resultReport, type TaskReport } from './messages.js';
import type { CheckpointAck } from './task-checkpoint.js';
import { Throttle, type TimerHandle, type Timers } from './timers.js';

/** What {@link RunningTasks} tells its owner about the tasks it runs. */
export interface RunningTaskEvents {
  log(leaseId: string, level: LogLevel, message: string): void;
  /** Every progress call, for the page. */
  progress(leaseId: string, fraction: number): void;
  /** Progress at most once per interval, for the coordinator. */
  progressReport(leaseId: string, fraction: number): void;
  /** A checkpoint to send; resolves the coordinator's answer. */
  checkpoint(leaseId: string, state: unknown): Promise<CheckpointAck>;
  /** The task ended by itself: its result, or its failure (a timeout included). */
  finished(lease: TaskLease, report: TaskReport): void;
}

/** The ports and settings {@link RunningTasks} works with. */
export interface RunningTasksOptions {
  executor: TaskExecutor;
  fetchCode: CodeFetcher;
  timers: Timers;
  progressIntervalMs: number;
}

interface RunningTask {
  lease: TaskLease;
  progress: number;
  progressReports: Throttle<number>;
  deadline: TimerHandle;
}

/**
 * The tasks this worker runs now: fetches each one's code, runs it through the executor and
 * passes on its logs, progress, checkpoints and end. A task past its lease's `timeoutMs` is
 * aborted and fails. An aborted task is forgotten at once; whatever its executor does
 * afterwards is ignored.
 * @example
 * const tasks = new RunningTasks({ executor, fetchCode, timers: systemTimers, progressIntervalMs: 250 }, events);
 * tasks.start(lease);
 */
export class RunningTasks {
  readonly #tasks = new Map<string, RunningTask>();

  constructor(
    private readonly options: RunningTasksOptions,
    private readonly events: RunningTaskEvents,
  ) {}

  get size(): number {
    return this.#tasks.size;
  }

  has(leaseId: string): boolean {
    return this.#tasks.has(leaseId);
  }

  leaseIds(): string[] {
    return [...this.#tasks.keys()];
  }

  views(): RunningTaskView[] {
    return [...this.#tasks.values()].map(({ lease, progress }) => ({ lease, progress }));
  }

  /** Starts running `lease`; its end comes through `events.finished`. */
  start(lease: TaskLease): void {
    const task: RunningTask = {
      lease,
      progress: 0,
      progressReports: new Throttle(
        this.options.progressIntervalMs,
        (fraction) => this.events.progressReport(lease.leaseId, fraction),
        this.options.timers,
      ),
      deadline: undefined,
    };
    this.#tasks.set(lease.leaseId, task);
    const { timeoutMs } = lease;
    if (timeoutMs !== undefined) task.deadline = this.options.timers.setTimeout(() => this.#timeOut(task, timeoutMs), timeoutMs);
    void this.#run(task);
  }

  /** Stops a task; answers whether it was running. */
  abort(leaseId: string): boolean {
    const task = this.#tasks.get(leaseId);
    if (!task) return false;
    this.#forget(task);
    this.options.executor.abort(leaseId);
    return true;
  }

  async #run(task: RunningTask): Promise<void> {
    const { leaseId } = task.lease;
    const isCurrent = (): boolean => this.#tasks.get(leaseId) === task;
    let report: TaskReport;
    try {
      const source = await this.options.fetchCode(task.lease.code);
      if (!isCurrent()) return;
      const outputs = await this.options.executor.run(task.lease, source, {
        log: (level, message) => {
          if (isCurrent()) this.events.log(leaseId, level, message);
        },
        progress: (fraction) => {
          if (!isCurrent()) return;
          task.progress = fraction;
          task.progressReports.push(fraction);
          this.events.progress(leaseId, fraction);
        },
        checkpoint: (state) =>
          isCurrent()
            ? this.events.checkpoint(leaseId, state)
            : Promise.resolve({ status: 'ignored', reason: 'the task is no longer running here' }),
      });
      report = resultReport(leaseId, outputs);
    } catch (error) {
      report = failReport(leaseId, error);
    }
    // An aborted task's executor may still settle, either way: nobody is waiting for it.
    if (!isCurrent()) return;
    this.#forget(task);
    this.events.finished(task.lease, report);
  }

  #timeOut(task: RunningTask, timeoutMs: number): void {
    const { leaseId } = task.lease;
    if (this.#tasks.get(leaseId) !== task) return;
    this.#forget(task);
    this.options.executor.abort(leaseId);
    this.events.finished(task.lease, failReport(leaseId, { message: `task timed out after ${timeoutMs} ms` }));
  }

  #forget(task: RunningTask): void {
    task.progressReports.cancel();
    this.options.timers.clearTimeout(task.deadline);
    this.#tasks.delete(task.lease.leaseId);
  }
}
