import { RecentDurations } from './durations.js';
import { jobProgress, type JobProgress, type JobSpec, type JobState, type TaskState } from '../../shared/index.js';
import type { JobRecord, TaskRecord } from '../store/index.js';
import type { JobGraph } from '../../shared/index.js';
import type { TaskTable } from './task-table.js';

const LEASABLE: ReadonlySet<JobState> = new Set(['PENDING', 'RUNNING']);

/** How many queued tasks ahead of the next lease are kept loaded; more are read when half are gone. */
export const WINDOW = 1024;

/**
 * A job whose every task is held warm from the start, done ones included: their outputs feed
 * later tasks (item dependencies, a reduce step) or a caught liar's results are rechecked
 * (validation). Only the other jobs, the plain maps, load their tasks a window at a time.
 */
export function holdsWhole(spec: JobSpec, graph: JobGraph): boolean {
  return spec.validation !== undefined || spec.reduce !== undefined || graph.unitPredecessors.size > 0;
}

/** Reads tasks' records from the store, once what was written before the call is committed. */
export type TaskLoader = (indices: number[]) => Promise<TaskRecord[]>;

/**
 * A job that may still change, held in memory with its graph, its tasks' states and its queue of
 * ready tasks. A task's record is held only while it is warm (see `TaskTable`): the queue's next
 * `WINDOW` tasks are loaded ahead of the asks that take them, and a done task's record goes back
 * to the store, unless later tasks or a recheck need it (`keepsDone`).
 */
export class LiveJob {
  private readyQueue: number[] = [];
  /** When each task of `readyQueue` joined it (scheduler clock), at the same place. */
  private queuedAt: number[] = [];
  private readyHead = 0;
  /** Queue positions before this one have been loaded, or asked for. */
  private loadedTo = 0;
  private loading = false;
  /**
   * Ready tasks some workers may not take (each used up its attempts on it alone), kept apart
   * so that the main queue never needs a look at who asks. Few, and warm: scanned per ask.
   */
  private restricted: number[] = [];
  /** Unfinished predecessors of each task. */
  private readonly waitingFor: Int32Array;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** When each task held back for some workers (`restricted`) joined the queue (scheduler clock). */
  private readonly restrictedSince = new Map<number, number>();
  private wake: { at: number; timer: ReturnType<typeof setTimeout> } | undefined;
  /** Jobs named in `dependsOn` that have not completed yet. */
  readonly blockedBy = new Set<string>();
  /** When this job last got a lease, in the scheduler's turn counter: equal priorities take turns. Changed only by `JobQueue.takeTurn`. */
  turn = 0;
  leased = 0;
  /** Told when a task joins the ready queue, or loaded ones do: the job may have work again (see `JobQueue`). */
  onQueued: (() => void) | undefined;
  /** Told when tasks loaded from the store are in: asks parked meanwhile may take them. */
  onLoaded: (() => void) | undefined;
  /** Told when a load of tasks starts, with a promise that settles (never rejecting) once they are in. */
  onLoading: ((done: Promise<void>) => void) | undefined;
  /** Told when loading tasks from the store failed (they are asked for again by the next look). */
  onLoadError: ((error: unknown) => void) | undefined;
  /** Told when a task changed state: the job's progress may have changed. */
  onMoved: (() => void) | undefined;
  /** Told when a task is taken off the queue, with when it joined it: how long it waited. */
  onTaken: ((queuedAt: number) => void) | undefined;
  /** How long its last finished tasks ran: when one has stalled (see `backups.ts`). */
  readonly durations = new RecentDurations();
  /** Every task stays warm, done ones too (see `holdsWhole`). */
  readonly keepsDone: boolean;

  /**
   * @param warm the records of tasks that must be warm from the start: leased ones, ones tried
   *   before (their blame and backoff), and done ones when the job `keepsDone`
   * @param loadedAt when this job was loaded (scheduler clock): tasks ready from the start count as ready since then
   */
  constructor(
    public record: JobRecord,
    readonly tasks: TaskTable,
    readonly graph: JobGraph,
    warm: readonly TaskRecord[],
    private readonly load: TaskLoader,
    loadedAt = 0,
  ) {
    this.keepsDone = holdsWhole(record.spec, graph);
    this.waitingFor = new Int32Array(tasks.size);
    graph.taskPredecessors.forEach((preds, index) => {
      for (const pred of preds) if (tasks.state(pred) !== 'done') this.waitingFor[index]!++;
    });
    for (const task of warm) tasks.hold(task);
    this.leased = tasks.count('leased');
    for (let index = 0; index < tasks.size; index++) {
      if (tasks.state(index) === 'ready' && (tasks.get(index)?.readyAt ?? 0) === 0) this.queue(index, loadedAt);
    }
  }

  get id(): string {
    return this.record.id;
  }

  /** The task's record, if it is warm (a leased task always is). */
  task(index: number): TaskRecord | undefined {
    return this.tasks.get(index);
  }

  /** Every task's state, in index order (for tests and views of small jobs). */
  states(): TaskState[] {
    return Array.from({ length: this.tasks.size }, (_, index) => this.tasks.state(index));
  }

  /** Tasks may be leased: running or pending, not paused, every dependency job complete. */
  leasable(): boolean {
    return LEASABLE.has(this.record.state) && this.blockedBy.size === 0;
  }

  hasReady(): boolean {
    return this.hasMainReady() || this.restrictedFor(undefined) !== undefined;
  }

  /** A ready task this worker may take is queued and loaded. */
  hasReadyFor(workerId: string): boolean {
    return this.restrictedFor(workerId) !== undefined || this.hasMainReady();
  }

  /** The main queue's next task is ready and loaded; a cold one at its head is loaded (and `onLoaded` told). */
  private hasMainReady(): boolean {
    while (this.readyHead < this.readyQueue.length) {
      const index = this.readyQueue[this.readyHead]!;
      if (this.tasks.state(index) === 'ready') {
        if (this.tasks.get(index)) return true;
        void this.loadAhead(true);
        return false;
      }
      this.readyHead++;
    }
    return false;
  }

  /**
   * Loads the queue's next `WINDOW` tasks that are cold, when fewer than half of them are
   * loaded (or at once, `now`, when the head is cold); tells `onLoaded` when they are in, unless
   * `quietly`. Answers a promise that settles (never rejecting) once they are in, if any load started.
   */
  private loadAhead(now = false, quietly = false): Promise<void> | undefined {
    if (this.loading || (!now && this.loadedTo - this.readyHead > WINDOW / 2)) return undefined;
    const from = Math.max(this.loadedTo, this.readyHead);
    const to = Math.min(this.readyHead + WINDOW, this.readyQueue.length);
    const cold: number[] = [];
    for (let position = from; position < to; position++) {
      const index = this.readyQueue[position]!;
      if (this.tasks.state(index) === 'ready' && !this.tasks.get(index)) cold.push(index);
    }
    this.loadedTo = to;
    if (cold.length === 0) return undefined;
    this.loading = true;
    const done = this.load(cold).then(
      (records) => {
        this.loading = false;
        for (const record of records) if (this.tasks.state(record.index) === 'ready' && !this.tasks.get(record.index)) this.tasks.hold(record);
        if (!quietly) this.onLoaded?.();
      },
      (error: unknown) => {
        this.loading = false;
        this.loadedTo = Math.min(this.loadedTo, from);
        this.onLoadError?.(error);
      },
    );
    this.onLoading?.(done);
    return done;
  }

  /** Loads the queue's first window (a job just made live), telling no one: its maker announces it. */
  async prefetch(): Promise<void> {
    await this.loadAhead(true, true);
  }

  /** Position in `restricted` of the first ready task this worker may take (anyone's, without a worker). */
  private restrictedFor(workerId: string | undefined): number | undefined {
    if (this.restricted.length === 0) return undefined;
    this.restricted = this.restricted.filter((index) => this.tasks.state(index) === 'ready');
    const position = this.restricted.findIndex((index) => workerId === undefined || !this.tasks.get(index)!.excluded.includes(workerId));
    return position === -1 ? undefined : position;
  }

  /** The next ready task and since when it has been ready, without taking it off the queue. */
  peekReady(): { task: TaskRecord; since: number } | undefined {
    const restricted = this.restrictedFor(undefined);
    const index = restricted !== undefined ? this.restricted[restricted] : this.hasMainReady() ? this.readyQueue[this.readyHead] : undefined;
    if (index === undefined) return undefined;
    const since = restricted !== undefined ? (this.restrictedSince.get(index) ?? 0) : (this.queuedAt[this.readyHead] ?? 0);
    return { task: this.tasks.get(index)!, since };
  }

  /**
   * Next ready task in queue order (one held back from others first), taken off the queue. With
   * a worker, only a task that worker may take.
   */
  takeReady(workerId?: string): TaskRecord | undefined {
    const restricted = this.restrictedFor(workerId);
    if (restricted !== undefined) {
      const [index] = this.restricted.splice(restricted, 1);
      this.onTaken?.(this.restrictedSince.get(index!) ?? 0);
      this.restrictedSince.delete(index!);
      return this.tasks.get(index!);
    }
    if (!this.hasMainReady()) return undefined;
    this.onTaken?.(this.queuedAt[this.readyHead]!);
    const task = this.tasks.get(this.readyQueue[this.readyHead++]!)!;
    if (this.readyHead > 1024 && this.readyHead * 2 > this.readyQueue.length) {
      this.readyQueue = this.readyQueue.slice(this.readyHead);
      this.queuedAt = this.queuedAt.slice(this.readyHead);
      this.loadedTo = Math.max(0, this.loadedTo - this.readyHead);
      this.readyHead = 0;
    }
    void this.loadAhead();
    return task;
  }

  queueDepth(): number {
    return this.readyQueue.length - this.readyHead + this.restricted.length;
  }

  /** Queues a warm task now, or when `at` comes (backoff); `onDue` is told when a delayed task joins the queue. */
  makeReady(task: TaskRecord, at: number, now: number, onDue: () => void): void {
    this.setState(task.index, 'ready');
    task.readyAt = at > now ? at : 0;
    if (task.readyAt === 0) {
      this.queue(task.index, now);
      return;
    }
    clearTimeout(this.timers.get(task.index));
    const timer = setTimeout(() => {
      this.timers.delete(task.index);
      if (task.state !== 'ready') return;
      task.readyAt = 0;
      this.queue(task.index, at);
      onDue();
    }, at - now);
    timer.unref?.();
    this.timers.set(task.index, timer);
  }

  /** A blocked task whose predecessors are all done joins the queue (it need not be warm). */
  unblock(index: number, now: number): void {
    this.setState(index, 'ready');
    this.queue(index, now);
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

  private queue(index: number, since: number): void {
    if ((this.tasks.get(index)?.excluded.length ?? 0) > 0) {
      this.restricted.push(index);
      this.restrictedSince.set(index, since);
    } else {
      this.readyQueue.push(index);
      this.queuedAt.push(since);
    }
    this.onQueued?.();
  }

  /** Tasks whose last unfinished predecessor was `task`, now done. */
  unblockedBy(task: TaskRecord): number[] {
    const freed: number[] = [];
    for (const successor of this.graph.taskSuccessors[task.index] ?? []) {
      const left = --this.waitingFor[successor]!;
      if (left === 0 && this.tasks.state(successor) === 'blocked') freed.push(successor);
    }
    return freed;
  }

  /** The index of the task that runs the reduce step, if the job has one: the last. */
  reduceIndex(): number | undefined {
    return this.record.spec.reduce === undefined ? undefined : this.tasks.size - 1;
  }

  /** Outputs of all non-reduce tasks, in result order (a job that `keepsDone`). */
  outputs(): unknown[] {
    const reduce = this.reduceIndex();
    const outputs: unknown[] = [];
    for (let index = 0; index < this.tasks.size; index++) {
      if (index !== reduce) outputs.push(...(this.tasks.get(index)?.output ?? []));
    }
    return outputs;
  }

  /** The output of result index `unit` (an item, or a range/blob task), if its task is done and warm. */
  outputOf(unit: number): unknown {
    const task = this.tasks.get(this.tasks.taskOfUnit(unit));
    return task?.output?.[unit - task.firstItem];
  }

  /** Done, failed and running map tasks and where the reduce step is, from the counts kept: O(1). */
  progress(): JobProgress {
    const { tasks } = this;
    const reduce = this.reduceIndex();
    const counts = { done: tasks.count('done'), failed: tasks.count('failed'), leased: tasks.count('leased') };
    return jobProgress(tasks.size, counts, reduce === undefined ? undefined : tasks.state(reduce));
  }

  /**
   * Moves a task to `state`, keeping the counts by state; a move the task state machine does not
   * allow throws. Every change of a live task's state goes through `TaskTable.setState`.
   */
  setState(index: number, state: TaskState): void {
    this.tasks.setState(index, state);
    this.onMoved?.();
  }

  /**
   * Takes back a done task whose result is in doubt (it came unchecked from a worker since caught
   * lying), when nothing has used it yet: its successors wait for it again. Answers false,
   * changing nothing, when a successor has already started.
   */
  reopen(task: TaskRecord): boolean {
    const successors = this.graph.taskSuccessors[task.index] ?? [];
    if (task.state !== 'done' || successors.some((next) => this.tasks.state(next) !== 'blocked')) return false;
    for (const next of successors) this.waitingFor[next]!++;
    this.setState(task.index, 'ready');
    task.output = null;
    return true;
  }

  /** Records a task's outputs; it stays done, and goes cold unless the job `keepsDone`. */
  markDone(task: TaskRecord, outputs: unknown[]): void {
    this.setState(task.index, 'done');
    Object.assign(task, { output: outputs, leaseId: null });
    if (!this.keepsDone) this.tasks.release(task.index);
  }

  allDone(): boolean {
    return this.tasks.count('done') === this.tasks.size;
  }

  /** Stops backoff and rendezvous timers (the job ended). */
  stopTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.wake?.timer);
    this.wake = undefined;
  }
}
