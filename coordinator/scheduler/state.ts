import { assertJobMove, isTerminal, type AttemptEnd, type Capabilities, type JobError, type JobState, type LogLevel, type RetryDecision } from '../../shared/index.js';
import { attemptLine } from './attempt-log.js';
import { JobFeed } from '../events/index.js';
import type { JobPatch, Store, TaskRecord } from '../store/index.js';
import { GangTable } from './gangs.js';
import { GroupCommit } from './group-commit.js';
import { JobQueue } from './job-queue.js';
import { newId } from './ids.js';
import { heldAs, LeaseTable, type Lease } from './leases.js';
import type { LiveJob, TaskLoader } from './live-job.js';
import { LogBuffer } from './log-buffer.js';
import { CompletionRate } from './rate.js';
import { TaskCounts } from './task-counts.js';
import { NO_OBSERVER, type Observer } from '../observer.js';
import { SILENT_LOG, type Logger } from '../log.js';

export interface SchedulerOptions {
  /** How long a lease lasts without a heartbeat. @default 30000 */
  leaseMs: number;
  /** How long the leases of a worker whose socket closed are kept for it to come back. @default 5000 */
  disconnectGraceMs: number;
  /** Largest checkpoint stored, as JSON bytes; a larger one is refused. @default 1 MiB */
  maxCheckpointBytes?: number;
  /**
   * When a task counts as stalled, so that an idle worker may run a backup copy beside the one
   * holding it (see `backups.ts`): never before `backupAfterMs` (default 60000) nor before
   * `backupFactor` (default 4) times the job's median task time; a job with no finished task yet
   * waits `backupWithoutHistoryMs` (default 600000).
   */
  backupAfterMs?: number;
  backupFactor?: number;
  backupWithoutHistoryMs?: number;
  /** Most tasks one job may have; a spec that makes more is refused before it is partitioned. @default 100000 */
  maxTasks?: number;
  /** Most items one items job may have. @default 1000000 */
  maxItems?: number;
  now?: () => number;
  random?: () => number;
  /** Where gang members find the signalling server, and the ICE servers they use. */
  signalling?: { path: string; key: string; iceServers: RTCIceServer[] };
  /** Told how long tasks waited and ran (the metrics). @default NO_OBSERVER */
  observer?: Observer;
  /** The coordinator's log: attempts that failed or lapsed, stores that failed. @default SILENT_LOG */
  log?: Logger;
}

export type RevokeListener = (workerId: string, leaseId: string, reason: string) => void;

/** The worker asking for a task. */
export interface Asker {
  id: string;
  capabilities: Capabilities;
  /** The worker's host (its address), where the coordinator can tell hosts apart; replicas of a task go to distinct hosts. */
  host?: string | undefined;
  /**
   * Its asks not yet answered. A node worker (no WebRTC, so never one member among others)
   * takes a whole gang, one rank per ask. @default 1
   */
  asks?: number;
}

/**
 * What the scheduler's parts share: the live jobs, the leases and gang attempts, the store,
 * the clock, and the small steps every part takes (granting and ending leases, putting a task
 * back, recording a job's transition). Each step changes memory first and adds its store
 * changes to the next group commit, without awaiting: the operation that took the steps awaits
 * `commits.committed()` once, before it answers, so one transition is one transaction.
 */
export class SchedulerState {
  readonly live = new Map<string, LiveJob>();
  /** The live jobs that may have work, in lease order: those of single tasks and those of gang tasks apart. */
  readonly queues = { tasks: new JobQueue(), gangs: new JobQueue() };
  readonly leases = new LeaseTable(() => this.feed.publishWorkersChange());
  readonly gangs = new GangTable();
  readonly feed = new JobFeed();
  readonly completions = new CompletionRate();
  readonly counters = { leaseLapses: 0, retries: 0, lateResults: 0, timeouts: 0, backups: 0 };
  /** Every task by state, kept without reading the tasks (`stats`). */
  readonly taskCounts: TaskCounts;
  readonly readyListeners = new Set<() => void>();
  /** Loads of tasks from the store in flight: an ask that found nothing waits for them before it says so. */
  readonly loads = new Set<Promise<void>>();
  readonly revokeListeners = new Set<RevokeListener>();
  /** Told when a worker is quarantined, with why. */
  readonly quarantineListeners = new Set<(workerId: string, note: string | null) => void>();
  /** Task log lines, the workers' and the scheduler's own (a gang re-forming, say). */
  readonly logs: LogBuffer;
  readonly now: () => number;
  readonly random: () => number;
  readonly observer: Observer;
  readonly log: Logger;
  /** Counts leases handed out: equal priorities take turns by it. */
  turns = 0;

  /** Every change to what the store keeps goes through here: see `GroupCommit`. */
  readonly commits: GroupCommit;

  constructor(
    readonly store: Store,
    readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.observer = options.observer ?? NO_OBSERVER;
    this.log = options.log ?? SILENT_LOG;
    this.commits = new GroupCommit(store, this.log);
    this.taskCounts = new TaskCounts(store);
    this.logs = new LogBuffer(this.commits, this.feed, { log: this.log });
  }

  /** A job becomes live (submitted, or loaded at start): it may lease from now on. */
  addLive(job: LiveJob): void {
    this.live.set(job.id, job);
    job.onQueued = () => this.offer(job);
    job.onLoaded = () => {
      this.offer(job);
      this.emitReady();
    };
    job.onLoading = (done) => {
      this.loads.add(done);
      void done.then(() => this.loads.delete(done));
    };
    job.onLoadError = (error) => this.logs.add({ jobId: job.id, taskIndex: null, workerId: null, level: 'error', message: `loading tasks from the store failed: ${String(error)}`, time: this.now() });
    job.onMoved = () => this.feed.publishJobChange(job.id);
    job.onTaken = (queuedAt) => this.observer.queueWait(this.now() - queuedAt);
    this.offer(job);
  }

  /** Reads a job's tasks from the store once every change added so far is committed: a record read is never older than memory's. */
  loader(jobId: string): TaskLoader {
    return async (indices) => {
      await this.commits.committed();
      return this.store.listTasks(jobId, { indices });
    };
  }

  /** A job ended: it leases no more. */
  removeLive(job: LiveJob): void {
    this.live.delete(job.id);
    this.queueOf(job).drop(job);
    job.onQueued = undefined;
    job.onLoaded = undefined;
    job.onLoading = undefined;
    job.onLoadError = undefined;
    job.onMoved = undefined;
    job.onTaken = undefined;
  }

  /** The job may have work now (a task was queued, it was resumed or unblocked): asks look at it again. */
  offer(job: LiveJob): void {
    if (this.live.get(job.id) === job) this.queueOf(job).offer(job);
  }

  /** The job got a lease: equal priorities take turns. */
  takeTurn(job: LiveJob): void {
    this.queueOf(job).takeTurn(job, ++this.turns);
  }

  /** Gives a live job another priority: the next asks see its new place; the store has it with the next commit. */
  setPriority(job: LiveJob, priority: number): void {
    this.queueOf(job).reorder(job, () => {
      job.record = { ...job.record, priority, updatedAt: this.now() };
    });
    this.commits.add({ type: 'updateJob', id: job.id, patch: { priority } });
  }

  private queueOf(job: LiveJob): JobQueue {
    return job.record.spec.gang ? this.queues.gangs : this.queues.tasks;
  }

  newLease(job: LiveJob, task: TaskRecord, workerId: string, leaseId = newId('lease')): Lease {
    const now = this.now();
    const timeoutMs = job.record.spec.retry.timeoutMs;
    const lease: Lease = { leaseId, jobId: job.id, taskIndex: task.index, workerId, expiresAt: now + this.options.leaseMs, progress: 0, startedAt: now };
    if (timeoutMs !== undefined) lease.deadline = now + timeoutMs;
    return lease;
  }

  /**
   * Leases a ready task to a worker (`leaseId` names a replica group or a gang attempt when the
   * lease is one of several): the task's change, and the job's start if it was pending.
   */
  lease(job: LiveJob, task: TaskRecord, workerId: string, leaseId: string, reason: string): void {
    job.setState(task.index, 'leased');
    Object.assign(task, { attempts: task.attempts + 1, leaseId, workerId });
    this.commits.add({ type: 'updateTask', jobId: job.id, index: task.index, patch: { state: 'leased', attempts: task.attempts, leaseId, workerId } });
    if (job.record.state === 'PENDING') this.transition(job, 'RUNNING', reason);
  }

  grant(job: LiveJob, task: TaskRecord, workerId: string): Lease {
    const lease = this.newLease(job, task, workerId);
    this.lease(job, task, workerId, lease.leaseId, `task ${task.index} leased to ${workerId}`);
    this.leases.add(lease);
    job.leased++;
    return lease;
  }

  endLease(job: LiveJob, leaseId: string): void {
    if (this.leases.remove(leaseId)) job.leased--;
  }

  /** The job and task of a lease, if it is still its task's current one and held by this worker. */
  currentLease(workerId: string, leaseId: string): { job: LiveJob; task: TaskRecord } | undefined {
    const lease = this.leases.get(leaseId);
    if (lease?.workerId !== workerId) return undefined;
    const job = this.live.get(lease.jobId);
    const task = job?.task(lease.taskIndex);
    if (!job || task?.leaseId !== heldAs(lease) || task.state !== 'leased') return undefined;
    return { job, task };
  }

  /** A task whose predecessors are all done is ready. */
  unblock(job: LiveJob, index: number): void {
    job.unblock(index, this.now());
    this.commits.add({ type: 'updateTask', jobId: job.id, index, patch: { state: 'ready' } });
  }

  /** Ends an attempt without a result: the task goes back to the queue (after `delayMs`), or fails for good. */
  releaseTask(job: LiveJob, task: TaskRecord, reason: string, exhausted: boolean, delayMs: number): void {
    task.leaseId = null;
    task.error = reason;
    const now = this.now();
    if (exhausted) job.setState(task.index, 'failed');
    else {
      this.counters.retries++;
      job.makeReady(task, now + delayMs, now, () => this.emitReady());
    }
    const { state, failures, lapses, readyAt, failedOn, lapsedOn, excluded } = task;
    this.commits.add({
      type: 'updateTask',
      jobId: job.id,
      index: task.index,
      patch: { state, failures, lapses, leaseId: null, error: reason, readyAt, blame: { failedOn, lapsedOn, excluded } },
    });
    if (!exhausted && readyAt === 0) this.emitReady();
  }

  /** Puts a leased task back in the queue at once, counting nothing (an elastic gang re-forms to grow). */
  requeue(job: LiveJob, task: TaskRecord): void {
    task.leaseId = null;
    job.makeReady(task, 0, this.now(), () => this.emitReady());
    this.commits.add({ type: 'updateTask', jobId: job.id, index: task.index, patch: { state: 'ready', leaseId: null, readyAt: 0 } });
    this.emitReady();
  }

  /** A line in the job's log from the scheduler itself, about no one task (an admin's change). */
  logJob(job: LiveJob, message: string): void {
    this.logs.add({ jobId: job.id, taskIndex: null, workerId: null, level: 'info', message, time: this.now() });
  }

  /** A line in the task's log from the scheduler itself, shown with the workers' lines. */
  logTask(job: LiveJob, taskIndex: number, level: LogLevel, message: string): void {
    this.logs.add({ jobId: job.id, taskIndex, workerId: null, level, message, time: this.now() });
  }

  /** An attempt ended without a result: its task's log says how, and what comes next (see `attemptLine`). */
  logAttemptEnd(job: LiveJob, task: TaskRecord, end: AttemptEnd, decision: RetryDecision): void {
    const line = attemptLine(end, decision, task.attempts);
    if (!line) return;
    this.logs.add({ jobId: job.id, taskIndex: task.index, time: this.now(), ...line });
    // The coordinator's log says it too, at warn whatever the task log says: a task failing is no fault of the coordinator.
    this.log.warn({ jobId: job.id, taskIndex: task.index, workerId: line.workerId, attempt: task.attempts, end: end.type }, line.message);
  }

  /**
   * Moves a job to another state (the job state machine refuses a move it does not allow), with
   * its event; the first move to RUNNING is its start, a move to a terminal state its end.
   */
  transition(job: LiveJob, to: JobState, reason: string, error: JobError | null = job.record.error): void {
    const from = job.record.state;
    assertJobMove(from, to);
    const now = this.now();
    const record = (job.record = { ...job.record, state: to, error, updatedAt: now });
    const patch: JobPatch = { state: to, error };
    if (to === 'RUNNING' && record.startedAt === undefined) patch.startedAt = record.startedAt = now;
    // An ended job's counts (of all its tasks, the reduce step's too) are kept with it: its status never counts its tasks again.
    if (isTerminal(to)) {
      patch.finalCounts = { done: job.tasks.count('done'), failed: job.tasks.count('failed') };
      patch.endedAt = record.endedAt = now;
    }
    this.commits.add({ type: 'updateJob', id: job.id, patch });
    this.recordEvent(job.id, from, to, reason);
    if (job.leasable()) this.offer(job);
  }

  /** Adds a job's event to the next commit; watchers hear of it once it is committed. */
  recordEvent(jobId: string, from: JobState | null, to: JobState, reason: string): void {
    const event = { jobId, time: this.now(), from, to, reason };
    this.commits.add({ type: 'appendEvent', event }, ([id]) => this.feed.publishEvent({ ...event, id: id! }));
  }

  emitReady(): void {
    for (const listener of this.readyListeners) listener();
  }

  emitRevoke(lease: Lease, reason: string): void {
    for (const listener of this.revokeListeners) listener(lease.workerId, lease.leaseId, reason);
  }
}
