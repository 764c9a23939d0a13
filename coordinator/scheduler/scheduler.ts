import type { JobError, JobSpec, JobState, LogLevel, TaskLease } from '../../shared/index.js';
import type { JobRecord, Store, TaskRecord } from '../store/index.js';
import { newId } from './ids.js';
import { LeaseTable, type Lease } from './leases.js';
import { LiveJob } from './live-job.js';
import { LogBuffer } from './log-buffer.js';
import { partitionItems } from './partition.js';

export interface SchedulerOptions {
  /** How long a lease lasts without a heartbeat. @default 30000 */
  leaseMs: number;
  /** How long the leases of a worker whose socket closed are kept for it to come back. @default 5000 */
  disconnectGraceMs: number;
  now?: () => number;
}

export type ReportOutcome = 'accepted' | 'ignored';
export type RevokeListener = (workerId: string, leaseId: string, reason: string) => void;

const LEASABLE: ReadonlySet<JobState> = new Set(['PENDING', 'RUNNING']);

/**
 * Hands out tasks to workers that ask (pull scheduling), tracks their leases, and records
 * results exactly once. Live state is in memory; every change is written to the store before
 * it is acknowledged, and `open` rebuilds the live state from the store after a restart.
 */
export class Scheduler {
  private readonly live = new Map<string, LiveJob>();
  /** Live jobs in lease order: higher priority first, then older first. */
  private order: LiveJob[] = [];
  private readonly leases = new LeaseTable();
  private readonly readyListeners = new Set<() => void>();
  private readonly revokeListeners = new Set<RevokeListener>();
  private readonly logs: LogBuffer;
  private readonly now: () => number;
  readonly counters = { leaseLapses: 0, retries: 0, lateResults: 0 };

  private constructor(
    private readonly store: Store,
    private readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.logs = new LogBuffer(store);
  }

  /** Loads every job that may still change and the leases that were out when the last process stopped. */
  static async open(store: Store, options: SchedulerOptions): Promise<Scheduler> {
    const scheduler = new Scheduler(store, options);
    for (const record of await store.listActiveJobs()) {
      const job = new LiveJob(record, await store.listTasks(record.id));
      scheduler.addLive(job);
      for (const task of job.tasks) {
        if (task.state === 'leased' && task.leaseId && task.workerId) {
          // Its worker gets one lease period to come back and claim it.
          scheduler.leases.add({
            leaseId: task.leaseId,
            jobId: record.id,
            taskIndex: task.index,
            workerId: task.workerId,
            expiresAt: scheduler.now() + options.leaseMs,
            progress: 0,
          });
        }
      }
      await scheduler.settleRecovered(job);
    }
    return scheduler;
  }

  /** Finishes what a crash may have interrupted between two writes. */
  private async settleRecovered(job: LiveJob): Promise<void> {
    if (job.record.state === 'SUBMITTED') await this.setJobState(job, 'PENDING');
    const failed = job.tasks.find((task) => task.state === 'failed');
    if (failed) await this.finishJob(job, 'FAILED', { message: failed.error ?? 'task failed', taskIndex: failed.index });
    // A cancel writes its tasks before its job: cancelled tasks in a live job mean the job write was lost.
    else if (job.tasks.some((task) => task.state === 'cancelled')) await this.finishJob(job, 'CANCELLED', null);
    else if (job.allDone()) await this.finishJob(job, 'COMPLETED', null);
  }

  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  onRevoke(listener: RevokeListener): () => void {
    this.revokeListeners.add(listener);
    return () => this.revokeListeners.delete(listener);
  }

  /** Creates a job from a validated spec whose code is already stored as a blob. */
  async submit(spec: JobSpec, codeSha: string): Promise<JobRecord> {
    const now = this.now();
    const id = newId('job');
    const tasks = partitionItems(id, spec.input, now);
    const record = await this.store.createJob(
      {
        id,
        name: spec.name,
        state: 'SUBMITTED',
        priority: spec.priority,
        spec: { ...spec, code: { blob: codeSha } },
        codeSha,
        itemCount: spec.input.items.length,
        taskCount: tasks.length,
        error: null,
        createdAt: now,
        updatedAt: now,
      },
      tasks,
    );
    const job = new LiveJob(record, tasks);
    this.addLive(job);
    await this.setJobState(job, 'PENDING');
    this.emitReady();
    return record;
  }

  /** Leases the best ready task to this worker, or answers undefined when there is none. */
  async leaseNext(workerId: string): Promise<TaskLease | undefined> {
    for (const job of this.order) {
      if (!LEASABLE.has(job.record.state)) continue;
      const task = job.takeReady();
      if (!task) continue;
      const lease = this.grant(job, task, workerId);
      const writes = [this.store.updateTask(job.id, task.index, { state: 'leased', attempts: task.attempts, leaseId: lease.leaseId, workerId })];
      if (job.record.state === 'PENDING') writes.push(this.setJobState(job, 'RUNNING'));
      await Promise.all(writes);
      // Cancelled while the write was in flight: look again rather than hand out a dead task.
      if (!this.leases.get(lease.leaseId)) return this.leaseNext(workerId);
      return {
        type: 'lease',
        leaseId: lease.leaseId,
        jobId: job.id,
        jobName: job.record.name,
        taskIndex: task.index,
        attempt: task.attempts,
        code: job.record.codeSha,
        firstItem: task.firstItem,
        items: task.input,
      };
    }
    return undefined;
  }

  /** Records a task's outputs if this lease is still the task's current one. */
  async complete(workerId: string, leaseId: string, outputs: unknown[]): Promise<ReportOutcome> {
    const current = this.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const { job, task } = current;
    if (outputs.length !== task.itemCount) {
      return this.fail(workerId, leaseId, { message: `result has ${outputs.length} outputs for ${task.itemCount} items` });
    }
    this.leases.remove(leaseId);
    Object.assign(task, { state: 'done', output: outputs, leaseId: null });
    await this.store.updateTask(job.id, task.index, { state: 'done', output: outputs, leaseId: null });
    if (job.allDone()) await this.finishJob(job, 'COMPLETED', null);
    return 'accepted';
  }

  /** Records that a task threw; it is retried until `retry.maxAttempts` attempts have failed. */
  async fail(workerId: string, leaseId: string, error: { message: string; stack?: string | undefined }): Promise<ReportOutcome> {
    const current = this.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const { job, task } = current;
    this.leases.remove(leaseId);
    task.failures++;
    const exhausted = task.failures >= job.record.spec.retry.maxAttempts;
    await this.releaseTask(job, task, error.message, exhausted);
    if (exhausted) {
      const jobError: JobError = { message: error.message, taskIndex: task.index };
      if (error.stack !== undefined) jobError.stack = error.stack;
      await this.finishJob(job, 'FAILED', jobError);
    }
    return 'accepted';
  }

  /** Renews every lease the worker holds. */
  heartbeat(workerId: string): void {
    const expiresAt = this.now() + this.options.leaseMs;
    for (const lease of this.leases.ofWorker(workerId)) lease.expiresAt = expiresAt;
  }

  progress(workerId: string, leaseId: string, fraction: number): void {
    const lease = this.leases.get(leaseId);
    if (lease?.workerId === workerId) lease.progress = fraction;
  }

  log(workerId: string, leaseId: string, level: LogLevel, message: string): void {
    const lease = this.leases.get(leaseId);
    if (lease?.workerId !== workerId) return;
    this.logs.add({ jobId: lease.jobId, taskIndex: lease.taskIndex, workerId, level, message, time: this.now() });
  }

  /** A worker came back: it keeps those of the named leases that are still its own. */
  reattach(workerId: string, leaseIds: string[]): string[] {
    const kept: string[] = [];
    const expiresAt = this.now() + this.options.leaseMs;
    for (const leaseId of leaseIds) {
      const lease = this.leases.get(leaseId);
      if (lease?.workerId !== workerId) continue;
      lease.expiresAt = expiresAt;
      kept.push(leaseId);
    }
    return kept;
  }

  /** The worker's socket closed: its leases lapse soon unless it comes back. */
  workerDisconnected(workerId: string): void {
    const deadline = this.now() + this.options.disconnectGraceMs;
    for (const lease of this.leases.ofWorker(workerId)) lease.expiresAt = Math.min(lease.expiresAt, deadline);
  }

  /** Makes the tasks of lapsed leases ready again. Call it every second or so. */
  async sweep(): Promise<void> {
    for (const lease of this.leases.expired(this.now())) {
      const job = this.live.get(lease.jobId);
      const task = job?.tasks[lease.taskIndex];
      this.leases.remove(lease.leaseId);
      if (!job || !task || task.leaseId !== lease.leaseId) continue;
      this.counters.leaseLapses++;
      this.emitRevoke(lease, 'lease lapsed');
      task.lapses++;
      const exhausted = task.lapses >= job.record.spec.retry.maxLapses;
      const reason = `lease lapsed on worker ${lease.workerId}`;
      await this.releaseTask(job, task, reason, exhausted);
      if (exhausted) await this.finishJob(job, 'FAILED', { message: `${reason} ${task.lapses} times`, taskIndex: task.index });
    }
  }

  /** Cancels a job that has not finished; answers false if it had. */
  async cancel(jobId: string): Promise<boolean> {
    const job = this.live.get(jobId);
    if (!job) return false;
    await this.finishJob(job, 'CANCELLED', null);
    return true;
  }

  liveJob(jobId: string): LiveJob | undefined {
    return this.live.get(jobId);
  }

  leasesOf(workerId: string): Lease[] {
    return this.leases.ofWorker(workerId);
  }

  queueDepth(): number {
    let depth = 0;
    for (const job of this.order) if (LEASABLE.has(job.record.state)) depth += job.queueDepth();
    return depth;
  }

  async close(): Promise<void> {
    await this.logs.close();
  }

  private grant(job: LiveJob, task: TaskRecord, workerId: string): Lease {
    const lease: Lease = {
      leaseId: newId('lease'),
      jobId: job.id,
      taskIndex: task.index,
      workerId,
      expiresAt: this.now() + this.options.leaseMs,
      progress: 0,
    };
    Object.assign(task, { state: 'leased', attempts: task.attempts + 1, leaseId: lease.leaseId, workerId });
    this.leases.add(lease);
    return lease;
  }

  private currentLease(workerId: string, leaseId: string): { job: LiveJob; task: TaskRecord } | undefined {
    const lease = this.leases.get(leaseId);
    if (lease?.workerId !== workerId) return undefined;
    const job = this.live.get(lease.jobId);
    const task = job?.tasks[lease.taskIndex];
    if (!job || task?.leaseId !== leaseId || task.state !== 'leased') return undefined;
    return { job, task };
  }

  private ignoreLate(): ReportOutcome {
    this.counters.lateResults++;
    return 'ignored';
  }

  /** Ends a lease without a result: the task goes back to the queue, or fails for good. */
  private async releaseTask(job: LiveJob, task: TaskRecord, reason: string, exhausted: boolean): Promise<void> {
    task.leaseId = null;
    task.error = reason;
    if (exhausted) task.state = 'failed';
    else {
      this.counters.retries++;
      job.makeReady(task);
    }
    const { state, failures, lapses } = task;
    await this.store.updateTask(job.id, task.index, { state, failures, lapses, leaseId: null, error: reason });
    if (!exhausted) this.emitReady();
  }

  private async finishJob(job: LiveJob, state: 'COMPLETED' | 'FAILED' | 'CANCELLED', error: JobError | null): Promise<void> {
    // A report whose write was in flight when the job ended (cancelled, say) must not end it again.
    if (this.live.get(job.id) !== job) return;
    this.retire(job);
    for (const lease of this.leases.ofJob(job.id)) {
      this.leases.remove(lease.leaseId);
      this.emitRevoke(lease, `job ${state.toLowerCase()}`);
    }
    for (const task of job.tasks) {
      if (task.state === 'ready' || task.state === 'leased' || task.state === 'blocked') task.state = 'cancelled';
    }
    job.record = { ...job.record, state, error, updatedAt: this.now() };
    if (state !== 'COMPLETED') await this.store.moveTasks(job.id, ['ready', 'leased', 'blocked'], 'cancelled');
    await this.store.updateJob(job.id, { state, error });
  }

  private async setJobState(job: LiveJob, state: JobState): Promise<void> {
    job.record = { ...job.record, state, updatedAt: this.now() };
    await this.store.updateJob(job.id, { state });
  }

  private addLive(job: LiveJob): void {
    this.live.set(job.id, job);
    this.order.push(job);
    this.order.sort((a, b) => b.record.priority - a.record.priority || a.record.seq - b.record.seq);
  }

  private retire(job: LiveJob): void {
    this.live.delete(job.id);
    this.order = this.order.filter((other) => other !== job);
  }

  private emitReady(): void {
    for (const listener of this.readyListeners) listener();
  }

  private emitRevoke(lease: Lease, reason: string): void {
    for (const listener of this.revokeListeners) listener(lease.workerId, lease.leaseId, reason);
  }
}
