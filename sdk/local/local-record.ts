import {
  isTerminal,
  jobProgress,
  type JobError,
  type JobEvent,
  type JobState,
  type JobStatus,
  type LogEntry,
  type LogLevel,
  type TaskState,
  type TaskStatus,
} from '../../shared/index.js';
import type { LocalPlan, LocalTaskPlan } from './local-plan.js';

/** A task of a local job while it runs. */
export interface LocalTaskRecord extends LocalTaskPlan {
  state: TaskState;
  attempts: number;
  failures: number;
  /** Attempts an elastic gang lost a member in (the only lapse a local run has). */
  lapses: number;
  /** Always this process, once it failed the task: the job rules count workers. */
  failedOn: string[];
  lapsedOn: string[];
  error: string | null;
  outputs: unknown[] | undefined;
  /** The last checkpoint stored, as the coordinator would keep it. */
  checkpoint: unknown;
}

/**
 * Everything a local job is: what the runner writes and `LocalJob` reads. The state changes
 * only through `transition`, which also records the job event; every change wakes those
 * waiting in `nextChange()` (followers, a paused runner).
 */
export class LocalJobRecord {
  state: JobState = 'SUBMITTED';
  error: JobError | undefined;
  readonly tasks: LocalTaskRecord[];
  readonly logs: LogEntry[] = [];
  readonly events: JobEvent[] = [];
  readonly createdAt = new Date();
  updatedAt = new Date();
  /** Aborted by `cancel()`: stops the running attempt and any wait between attempts. */
  readonly cancelling = new AbortController();
  readonly #ended: Promise<void>;
  #end!: () => void;
  #waiting: (() => void)[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
    readonly plan: LocalPlan,
    readonly priority: number,
    private readonly onLog: (entry: LogEntry) => void,
  ) {
    this.tasks = plan.tasks.map((task) => ({
      ...task,
      state: (plan.graph.taskPredecessors[task.index]?.length ?? 0) > 0 ? 'blocked' : 'ready',
      attempts: 0,
      failures: 0,
      lapses: 0,
      failedOn: [],
      lapsedOn: [],
      error: null,
      outputs: undefined,
      checkpoint: undefined,
    }));
    this.#ended = new Promise((resolve) => (this.#end = resolve));
  }

  /** Resolves once the job is COMPLETED, FAILED or CANCELLED. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  get isEnded(): boolean {
    return isTerminal(this.state);
  }

  transition(to: JobState, reason: string, error?: JobError): void {
    this.events.push({ id: this.events.length + 1, time: new Date().toISOString(), from: this.state, to, reason });
    this.state = to;
    if (error) this.error = error;
    this.touch();
    if (isTerminal(to)) this.#end();
  }

  log(level: LogLevel, taskIndex: number | null, message: string): void {
    const entry: LogEntry = { time: new Date().toISOString(), level, taskIndex, workerId: taskIndex === null ? null : 'local', message };
    this.logs.push(entry);
    this.onLog(entry);
    this.#wake();
  }

  touch(): void {
    this.updatedAt = new Date();
    this.#wake();
  }

  /** Resolves at the next change: a log line, a task or job state. */
  nextChange(): Promise<void> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Stops the running attempt; the runner then ends the job as CANCELLED. */
  cancel(): void {
    this.cancelling.abort();
    this.#wake();
  }

  /** Resolves at once unless the job is PAUSED; then when it is resumed or cancelled. */
  async unpaused(): Promise<void> {
    while (this.state === 'PAUSED' && !this.cancelling.signal.aborted) await this.nextChange();
  }

  #wake(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }

  status(): JobStatus {
    const count = (state: TaskState): number => this.tasks.filter((task) => task.state === state).length;
    const reduce = this.tasks.find((task) => task.reduce);
    const status: JobStatus = {
      id: this.id,
      name: this.name,
      state: this.state,
      priority: this.priority,
      progress: jobProgress(this.tasks.length, { done: count('done'), failed: count('failed'), leased: count('leased') }, reduce?.state),
      items: this.plan.units,
      createdAt: this.createdAt.toISOString(),
      updatedAt: this.updatedAt.toISOString(),
      runMode: 'local',
      reduce: reduce !== undefined,
    };
    if (this.error) status.error = this.error;
    return status;
  }

  taskStatuses(): TaskStatus[] {
    return this.tasks.map((task) => ({
      index: task.index,
      state: task.state,
      firstItem: task.firstItem,
      itemCount: task.itemCount,
      attempts: task.attempts,
      failures: task.failures,
      lapses: task.lapses,
      workerId: task.state === 'leased' ? 'local' : null,
      error: task.error,
    }));
  }
}
