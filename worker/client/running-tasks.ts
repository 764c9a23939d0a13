import type { CheckpointAck } from '../../shared/index.js';
import type { LogLevel, TaskLease } from '../../shared/index.js';
import type { RunningTaskView } from './client-events.js';
import type { BlobReader } from './blob-reader.js';
import type { TaskExecutor } from './client-ports.js';
import type { CodeFetcher } from './code-fetcher.js';
import type { BlobShard, ShardReader } from '../task/shard-reader.js';
import { BlobFetchError } from '../errors.js';
import { failReport, resultReport, type TaskReport } from './messages.js';

import { Throttle, type TimerHandle, type Timers } from '../timers.js';

/** What {@link RunningTasks} tells its owner about the tasks it runs. */
export interface RunningTaskEvents {
  log(leaseId: string, level: LogLevel, message: string): void;
  /** Every progress call, for the page. */
  progress(leaseId: string, fraction: number): void;
  /** Progress at most once per interval, for the coordinator. */
  progressReport(leaseId: string, fraction: number): void;
  /** A checkpoint to send; resolves the coordinator's answer. */
  checkpoint(leaseId: string, state: unknown): Promise<CheckpointAck>;
  /** The task ended by itself: its result, or its failure (a timeout included), and the time it took. */
  finished(lease: TaskLease, report: TaskReport, time: TaskTime): void;
}

/** How a finished task spent its time, in milliseconds. */
export interface TaskTime {
  /** Running task code. */
  busyMs: number;
  /** Idling between items for the CPU limit. */
  idleMs: number;
}

/** The ports and settings {@link RunningTasks} works with. */
export interface RunningTasksOptions {
  executor: TaskExecutor;
  fetchCode: CodeFetcher;
  /** Blobs task code asks for (`ctx.wasm`, `ctx.blob`). */
  readBlob: BlobReader;
  /** The shard of a blob task (its lease's input). */
  readShard: ShardReader;
  timers: Timers;
  /** Share of the time a task may keep the worker busy, read when each task starts. */
  cpuShare(): number;
  progressIntervalMs: number;
}

interface RunningTask {
  lease: TaskLease;
  progress: number;
  progressReports: Throttle<number>;
  deadline: TimerHandle;
  startedAt: number;
  idleMs: number;
}

/**
 * The tasks this worker runs now: fetches each one's code, runs it through the executor and
 * passes on its logs, progress, checkpoints and end. A task past its lease's `timeoutMs` is
 * aborted and fails. An aborted task is forgotten at once; whatever its executor does
 * afterwards is ignored.
 * @example
 * const tasks = new RunningTasks({ executor, fetchCode, readBlob, timers: systemTimers, progressIntervalMs: 250, cpuShare: () => 1 }, events);
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
      startedAt: this.options.timers.now(),
      idleMs: 0,
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
      const settings = { cpuShare: this.options.cpuShare() };
      task.startedAt = this.options.timers.now();
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
        blob: (sha256) => this.options.readBlob(sha256),
        shard: () => this.options.readShard(shardOf(task.lease)),
        idle: (ms) => {
          task.idleMs += ms;
        },
      }, settings);
      report = resultReport(leaseId, outputs);
    } catch (error) {
      report = failReport(leaseId, error);
    }
    // An aborted task's executor may still settle, either way: nobody is waiting for it.
    if (!isCurrent()) return;
    this.#forget(task);
    this.events.finished(task.lease, report, this.#timeOf(task));
  }

  #timeOut(task: RunningTask, timeoutMs: number): void {
    const { leaseId } = task.lease;
    if (this.#tasks.get(leaseId) !== task) return;
    this.#forget(task);
    this.options.executor.abort(leaseId);
    this.events.finished(task.lease, failReport(leaseId, { message: `task timed out after ${timeoutMs} ms` }), this.#timeOf(task));
  }

  #timeOf(task: RunningTask): TaskTime {
    const wallMs = Math.max(0, this.options.timers.now() - task.startedAt);
    return { busyMs: Math.max(0, wallMs - task.idleMs), idleMs: task.idleMs };
  }

  #forget(task: RunningTask): void {
    task.progressReports.cancel();
    this.options.timers.clearTimeout(task.deadline);
    this.#tasks.delete(task.lease.leaseId);
  }
}

/** The shard a blob task's lease names; any other task has none to read. */
function shardOf(lease: TaskLease): BlobShard {
  if (lease.input.kind !== 'blob') throw new BlobFetchError(`task ${lease.taskIndex} of job ${lease.jobId} is not a blob task: it has no shard`);
  return lease.input;
}
