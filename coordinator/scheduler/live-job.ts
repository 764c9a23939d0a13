import { RecentDurations } from './durations.js';
import { assertTaskMove, type JobProgress, type JobState, type TaskState } from '../../shared/index.js';
import type { JobRecord, TaskRecord } from '../store/index.js';
import type { JobGraph } from '../../shared/index.js';

const LEASABLE: ReadonlySet<JobState> = new Set(['PENDING', 'RUNNING']);

/** A job that may still change, held in memory with its tasks, its graph and its queue of ready tasks. */
export class LiveJob {
  private readyQueue: number[] = [];
  private readyHead = 0;
  /**
   * Ready tasks some workers may not take (each used up its attempts on it alone), kept apart
   * so that the main queue never needs a look at who asks. Few: scanned per ask.
   */
  private restricted: number[] = [];
  /** Unfinished predecessors of each task. */
  private readonly waitingFor: Int32Array;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** When each ready task joined the queue (scheduler clock): an elastic gang's rendezvous window starts then. */
  private readonly readySince = new Map<number, number>();
  private wake: { at: number; timer: ReturnType<typeof setTimeout> } | undefined;
  /** Jobs named in `dependsOn` that have not completed yet. */
  readonly blockedBy = new Set<string>();
  /** When this job last got a lease, in the scheduler's turn counter: equal priorities take turns. Changed only by `JobQueue.takeTurn`. */
  turn = 0;
  leased = 0;
  /** Told when a task joins the ready queue: the job may have work again (see `JobQueue`). */
  onQueued: (() => void) | undefined;
  /** How long its last finished tasks ran: when one has stalled (see `backups.ts`). */
  readonly durations = new RecentDurations();
  /**
   * Tasks by state, kept as they move (every move goes through `setState`): "all done" on every
   * result and a status read must not walk every task.
   */
  private readonly counts: Record<TaskState, number> = { blocked: 0, ready: 0, leased: 0, done: 0, failed: 0, cancelled: 0 };

  constructor(
    public record: JobRecord,
    public readonly tasks: TaskRecord[],
    readonly graph: JobGraph,
    /** When this job was loaded (scheduler clock): tasks ready from the start count as ready since then. */
    loadedAt = 0,
  ) {
    this.waitingFor = Int32Array.from(graph.taskPredecessors, (preds) => preds.filter((p) => tasks[p]?.state !== 'done').length);
    for (const task of tasks) {
      this.counts[task.state]++;
      if (task.state === 'ready' && task.readyAt === 0) this.queue(task, loadedAt);
      if (task.state === 'leased') this.leased++;
    }
  }

  get id(): string {
    return this.record.id;
  }

  /** Tasks may be leased: running or pending, not paused, every dependency job complete. */
  leasable(): boolean {
    return LEASABLE.has(this.record.state) && this.blockedBy.size === 0;
  }

  hasReady(): boolean {
    return this.hasMainReady() || this.restrictedFor(undefined) !== undefined;
  }

  /** A ready task this worker may take is queued. */
  hasReadyFor(workerId: string): boolean {
    return this.restrictedFor(workerId) !== undefined || this.hasMainReady();
  }

  private hasMainReady(): boolean {
    while (this.readyHead < this.readyQueue.length) {
      if (this.tasks[this.readyQueue[this.readyHead]!]?.state === 'ready') return true;
      this.readyHead++;
    }
    return false;
  }

  /** Position in `restricted` of the first ready task this worker may take (anyone's, without a worker). */
  private restrictedFor(workerId: string | undefined): number | undefined {
    if (this.restricted.length === 0) return undefined;
    this.restricted = this.restricted.filter((index) => this.tasks[index]?.state === 'ready');
    const position = this.restricted.findIndex((index) => workerId === undefined || !this.tasks[index]!.excluded.includes(workerId));
    return position === -1 ? undefined : position;
  }

  /** The next ready task and since when it has been ready, without taking it off the queue. */
  peekReady(): { task: TaskRecord; since: number } | undefined {
    const restricted = this.restrictedFor(undefined);
    const index = restricted !== undefined ? this.restricted[restricted] : this.hasMainReady() ? this.readyQueue[this.readyHead] : undefined;
    if (index === undefined) return undefined;
    const task = this.tasks[index]!;
    return { task, since: this.readySince.get(task.index) ?? 0 };
  }

  /**
   * Next ready task in queue order (one held back from others first), taken off the queue. With
   * a worker, only a task that worker may take.
   */
  takeReady(workerId?: string): TaskRecord | undefined {
    const restricted = this.restrictedFor(workerId);
    if (restricted !== undefined) {
      const [index] = this.restricted.splice(restricted, 1);
      this.readySince.delete(index!);
      return this.tasks[index!];
    }
    if (!this.hasMainReady()) return undefined;
    const task = this.tasks[this.readyQueue[this.readyHead++]!]!;
    this.readySince.delete(task.index);
    if (this.readyHead > 1024 && this.readyHead * 2 > this.readyQueue.length) {
      this.readyQueue = this.readyQueue.slice(this.readyHead);
      this.readyHead = 0;
    }
    return task;
  }

  queueDepth(): number {
    return this.readyQueue.length - this.readyHead + this.restricted.length;
  }

  /** Queues a task now, or when `at` comes (backoff); `onDue` is told when a delayed task joins the queue. */
  makeReady(task: TaskRecord, at: number, now: number, onDue: () => void): void {
    this.setState(task, 'ready');
    task.readyAt = at > now ? at : 0;
    if (task.readyAt === 0) {
      this.queue(task, now);
      return;
    }
    clearTimeout(this.timers.get(task.index));
    const timer = setTimeout(() => {
      this.timers.delete(task.index);
      if (task.state !== 'ready') return;
      task.readyAt = 0;
      this.queue(task, at);
      onDue();
    }, at - now);
    timer.unref?.();
    this.timers.set(task.index, timer);
  }

  /** Calls `onDue` at `at` (scheduler clock), unless a call at or before then is already set: a rendezvous window's end. */
  wakeAt(at: number, now: number, onDue: () => void): void {
    if (this.wake && this.wake.at <= at) return;
    clearTimeout(this.wake?.timer);
    // Node's timers run on a loop clock that may lag the wall clock by a millisecond: one more,
    // so that `onDue` finds the time due.
    const timer = setTimeout(() => {
      this.wake = undefined;
      onDue();
    }, Math.max(0, at - now) + 1);
    timer.unref?.();
    this.wake = { at, timer };
  }

  private queue(task: TaskRecord, since: number): void {
    if (task.excluded.length > 0) this.restricted.push(task.index);
    else this.readyQueue.push(task.index);
    this.readySince.set(task.index, since);
    this.onQueued?.();
  }

  /** Tasks whose last unfinished predecessor was `task`, now done. */
  unblockedBy(task: TaskRecord): TaskRecord[] {
    const freed: TaskRecord[] = [];
    for (const successor of this.graph.taskSuccessors[task.index] ?? []) {
      const left = --this.waitingFor[successor]!;
      const next = this.tasks[successor];
      if (left === 0 && next?.state === 'blocked') freed.push(next);
    }
    return freed;
  }

  /** Blocked tasks with nothing left to wait for (after a restart). */
  unblockable(): TaskRecord[] {
    return this.tasks.filter((task) => task.state === 'blocked' && this.waitingFor[task.index] === 0);
  }

  /** The task that runs the reduce step, if the job has one. */
  reduceTask(): TaskRecord | undefined {
    return this.record.spec.reduce === undefined ? undefined : this.tasks[this.tasks.length - 1];
  }

  /** Outputs of all non-reduce tasks, in result order. */
  outputs(): unknown[] {
    const reduce = this.reduceTask();
    return this.tasks.filter((task) => task !== reduce).flatMap((task) => task.output ?? []);
  }

  /** The output of result index `unit` (an item, or a range/blob task), if its task is done. */
  outputOf(unit: number): unknown {
    let low = 0;
    let high = this.tasks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.tasks[middle]!.firstItem <= unit) low = middle;
      else high = middle - 1;
    }
    const task = this.tasks[low];
    return task?.output?.[unit - task.firstItem];
  }

  /** Done, failed and running tasks, from the counts kept: O(1). */
  progress(): JobProgress {
    return { total: this.tasks.length, done: this.counts.done, failed: this.counts.failed, running: this.counts.leased };
  }

  /**
   * Moves a task to `state`, keeping the counts by state; a move the task state machine does not
   * allow throws. Every change of a live task's state goes through here.
   */
  setState(task: TaskRecord, state: TaskState): void {
    if (task.state === state) return;
    assertTaskMove(task.state, state);
    this.counts[task.state]--;
    this.counts[state]++;
    task.state = state;
  }

  /**
   * Takes back a done task whose result is in doubt (it came unchecked from a worker since caught
   * lying), when nothing has used it yet: its successors wait for it again. Answers false,
   * changing nothing, when a successor has already started.
   */
  reopen(task: TaskRecord): boolean {
    const successors = this.graph.taskSuccessors[task.index] ?? [];
    if (task.state !== 'done' || successors.some((next) => this.tasks[next]?.state !== 'blocked')) return false;
    for (const next of successors) this.waitingFor[next]!++;
    this.setState(task, 'ready');
    task.output = null;
    return true;
  }

  /** Records a task's outputs; it stays done. */
  markDone(task: TaskRecord, outputs: unknown[]): void {
    this.setState(task, 'done');
    Object.assign(task, { output: outputs, leaseId: null });
  }

  allDone(): boolean {
    return this.counts.done === this.tasks.length;
  }

  /** Stops backoff and rendezvous timers (the job ended). */
  stopTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.wake?.timer);
    this.wake = undefined;
  }
}
