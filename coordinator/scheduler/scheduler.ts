import type { JobSpec, LogLevel, RunModeBody, TaskLease, TaskState } from '../../shared/index.js';
import type { JobFeed } from '../events/index.js';
import type { JobRecord, Store } from '../store/index.js';
import { GangLeasing, type GangLease } from './gang-leasing.js';
import type { Lease } from './leases.js';
import { grantNext, leaseNext } from './leasing.js';
import { JobLifecycle } from './lifecycle.js';
import type { LiveJob } from './live-job.js';
import { Replication, type ValidationStats } from './replication.js';
import { Reports, type CheckpointOutcome, type ReportOutcome, type TaskError } from './reports.js';
import type { WorkerRecord } from '../store/index.js';
import { SchedulerState, type Asker, type RevokeListener, type SchedulerOptions } from './state.js';

export type { Asker, CheckpointOutcome, GangLease, ReportOutcome, RevokeListener, SchedulerOptions, ValidationStats };

/**
 * Hands out tasks to workers that ask (pull scheduling) in dependency order, tracks their
 * leases and checkpoints, and records results exactly once. Live state is in memory; every
 * change is written to the store before it is acknowledged, and `open` rebuilds the live state
 * from the store after a restart. The work is done by its parts: `leasing` (one worker, one
 * task), `GangLeasing`, `Reports` (results, failures, checkpoints, lapses) and `JobLifecycle`.
 */
export class Scheduler {
  private readonly state: SchedulerState;
  private readonly lifecycle: JobLifecycle;
  private readonly gangs: GangLeasing;
  private readonly reports: Reports;
  private readonly replication: Replication;

  private constructor(store: Store, options: SchedulerOptions) {
    this.state = new SchedulerState(store, options);
    this.lifecycle = new JobLifecycle(this.state);
    this.gangs = new GangLeasing(this.state);
    this.reports = new Reports(this.state, this.lifecycle, this.gangs);
    this.replication = new Replication(this.state, this.lifecycle, (job, task, outputs) => this.reports.accept(job, task, outputs));
    this.reports.replication = this.replication;
    this.lifecycle.onEnd = (jobId) => this.replication.forget(jobId);
  }

  /** Loads every job that may still change and the leases that were out when the last process stopped. */
  static async open(store: Store, options: SchedulerOptions): Promise<Scheduler> {
    const scheduler = new Scheduler(store, options);
    for (const record of await store.listActiveJobs()) await scheduler.lifecycle.recover(record);
    return scheduler;
  }

  get feed(): JobFeed {
    return this.state.feed;
  }

  get counters(): SchedulerState['counters'] {
    return this.state.counters;
  }

  onReady(listener: () => void): () => void {
    this.state.readyListeners.add(listener);
    return () => this.state.readyListeners.delete(listener);
  }

  /** Told when a worker is quarantined (by its results or by an admin), with why. */
  onQuarantine(listener: (workerId: string, note: string | null) => void): () => void {
    this.state.quarantineListeners.add(listener);
    return () => this.state.quarantineListeners.delete(listener);
  }

  onRevoke(listener: RevokeListener): () => void {
    this.state.revokeListeners.add(listener);
    return () => this.state.revokeListeners.delete(listener);
  }

  /**
   * Creates a job from a validated spec whose modules (`code`, `reduce`) are already stored as
   * blobs, `codeSha` naming the task code. Throws InvalidSpecError for what parses but cannot
   * run (cycles, unknown jobs or blobs).
   */
  submit(spec: JobSpec, codeSha: string): Promise<JobRecord> {
    return this.lifecycle.submit(spec, codeSha);
  }

  /** Records a job refused by policy (too large, queue full): it exists, in state REJECTED, with the reason. */
  reject(name: string, spec: unknown, reason: string): Promise<JobRecord> {
    return this.lifecycle.reject(name, spec, reason);
  }

  /** Leases the best ready task this worker may run, once committed, or answers undefined when there is none. */
  leaseNext(asker: Asker): Promise<TaskLease | undefined> {
    return leaseNext(this.state, this.replication, asker);
  }

  /**
   * `leaseNext` without waiting for the commit, so that the leases granted in one turn (and the
   * results beside them) share it: tell the worker in `afterCommit`, if it `holds` the lease then.
   */
  grantNext(asker: Asker): Promise<TaskLease | undefined> {
    return grantNext(this.state, this.replication, asker);
  }

  /** Calls `then` once every change made so far is committed, in the order asked (see `GroupCommit.afterCommit`). */
  afterCommit(then: () => void): Promise<void> {
    return this.state.commits.afterCommit(then);
  }

  /** True while this lease is live (granted, not yet ended, lapsed or revoked). */
  holds(leaseId: string): boolean {
    return this.state.leases.get(leaseId) !== undefined;
  }

  /**
   * Leases one gang task to a group of these waiting workers at once, when one can start now:
   * tabs take a rank each, a node worker every rank (one lease per rank, each using one of its
   * `asks`). Answers each rank's lease, empty when no gang starts. Call it with every parked
   * worker whenever `hasReadyGang()`: it is also where an elastic gang takes in parked workers
   * after a checkpoint.
   */
  leaseGang(askers: Asker[]): Promise<GangLease[]> {
    return this.gangs.lease(askers.filter((asker) => !this.replication.records.isQuarantined(asker.id)));
  }

  /** True when some gang task is ready or some elastic gang may grow: the gateway offers its waiting workers to gangs only then. */
  hasReadyGang(): boolean {
    return this.gangs.hasReady();
  }

  /** True for a peer id this coordinator handed to a member of a live gang attempt. */
  isIssuedPeer(peerId: string): boolean {
    return this.state.gangs.isIssuedPeer(peerId);
  }

  /** Records a task's outputs if this lease is still the task's current one; answers once committed. */
  complete(workerId: string, leaseId: string, outputs: unknown[]): Promise<ReportOutcome> {
    return this.reports.complete(workerId, leaseId, outputs);
  }

  /** `complete` without waiting for the commit (answer the worker in `afterCommit`). */
  result(workerId: string, leaseId: string, outputs: unknown[]): ReportOutcome {
    return this.reports.result(workerId, leaseId, outputs);
  }

  /**
   * Records that a task threw; it is retried, after a backoff, until `retry.maxAttempts` attempts
   * have failed. `cause: 'gang'` from a member of an elastic gang re-forms the gang instead.
   */
  fail(workerId: string, leaseId: string, error: TaskError): Promise<ReportOutcome> {
    return this.reports.fail(workerId, leaseId, error);
  }

  /** `fail` without waiting for the commit (answer the worker in `afterCommit`). */
  failure(workerId: string, leaseId: string, error: TaskError): ReportOutcome {
    return this.reports.failure(workerId, leaseId, error);
  }

  /** Stores a task's checkpoint; the next attempt of the task starts from it. */
  checkpoint(workerId: string, leaseId: string, state: unknown): Promise<CheckpointOutcome> {
    return this.reports.checkpoint(workerId, leaseId, state);
  }

  /** Ends lapsed leases (the task is ready again) and attempts past their timeout (a failure). Call it often. */
  sweep(): Promise<void> {
    return this.reports.sweep();
  }

  /** Renews the leases the worker holds (after a `hello`, only those it named there and was granted since). */
  heartbeat(workerId: string): void {
    const expiresAt = this.state.now() + this.state.options.leaseMs;
    for (const lease of this.state.leases.ofWorker(workerId)) lease.expiresAt = expiresAt;
  }

  progress(workerId: string, leaseId: string, fraction: number): void {
    const lease = this.state.leases.get(leaseId);
    if (lease?.workerId === workerId) lease.progress = fraction;
  }

  log(workerId: string, leaseId: string, level: LogLevel, message: string): void {
    const lease = this.state.leases.get(leaseId);
    if (lease?.workerId !== workerId) return;
    this.state.logs.add({ jobId: lease.jobId, taskIndex: lease.taskIndex, workerId, level, message, time: this.state.now() });
  }

  /** Writes buffered task logs now (before reading them back). */
  flushLogs(): Promise<void> {
    return this.state.logs.flush();
  }

  /**
   * A worker said hello: its record is read (quarantine, trust), and it keeps those of the named
   * leases that are still its own. A lease of its id it did not name, it no longer holds: it
   * lapses now, so no heartbeat of this worker keeps a task it dropped.
   */
  async reattach(workerId: string, leaseIds: string[]): Promise<{ kept: string[]; record: WorkerRecord }> {
    const record = await this.replication.records.load(workerId);
    const named = new Set(leaseIds);
    const now = this.state.now();
    const kept: string[] = [];
    for (const lease of this.state.leases.ofWorker(workerId)) {
      if (named.has(lease.leaseId)) {
        lease.expiresAt = now + this.state.options.leaseMs;
        kept.push(lease.leaseId);
      } else lease.expiresAt = now;
    }
    if (kept.length < this.state.leases.ofWorker(workerId).length) await this.reports.sweep();
    return { kept, record };
  }

  /** True for a worker that gets no work until an admin releases it. */
  isQuarantined(workerId: string): boolean {
    return this.replication.records.isQuarantined(workerId);
  }

  /** A worker's record, read from the store when it is not cached. */
  workerRecord(workerId: string): Promise<WorkerRecord> {
    return this.replication.records.load(workerId);
  }

  /**
   * Quarantines a worker (no more work; its replicas revoked, the results it gave alone checked
   * again) or releases it (it starts over, checked until trusted). Answers its record.
   */
  async setQuarantined(workerId: string, quarantined: boolean, note: string): Promise<WorkerRecord> {
    const record = await this.replication.records.setQuarantined(workerId, quarantined, note);
    if (quarantined) {
      this.replication.quarantined(workerId);
      await this.state.commits.committed();
    } else this.state.emitReady();
    return record;
  }

  /** What validation did for a job (replica leases, accepted and checked results, disagreements), if it is validated. */
  validationStats(jobId: string): ValidationStats | undefined {
    return this.replication.statsOf(jobId);
  }

  /** The worker's socket closed: its leases lapse soon unless it comes back. */
  workerDisconnected(workerId: string): void {
    const deadline = this.state.now() + this.state.options.disconnectGraceMs;
    for (const lease of this.state.leases.ofWorker(workerId)) lease.expiresAt = Math.min(lease.expiresAt, deadline);
  }

  /** Cancels a job that has not finished; answers false if it had. */
  async cancel(jobId: string): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (!job) return false;
    this.lifecycle.finish(job, 'CANCELLED', null, 'cancelled');
    await this.state.commits.committed();
    return true;
  }

  /** Stops new leases of a pending or running job; running tasks finish. Answers false if it cannot be paused. */
  pause(jobId: string, reason = 'paused'): Promise<boolean> {
    return this.lifecycle.pause(jobId, reason);
  }

  /** Lets a paused job lease again. Answers false if it is not paused. */
  resume(jobId: string): Promise<boolean> {
    return this.lifecycle.resume(jobId);
  }

  /**
   * Retries a FAILED job: its failed and cancelled tasks go back to the queue with a fresh retry
   * budget and it is PENDING again, live, in one transaction with its event (see
   * `JobLifecycle.retry`). Answers how many tasks went back, or undefined when it is not FAILED.
   */
  retry(jobId: string): Promise<number | undefined> {
    return this.lifecycle.retry(jobId);
  }

  /** Sets a live job's priority: the next asks see the new order. Answers false if the job is not live. */
  async setPriority(jobId: string, priority: number): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (!job) return false;
    this.state.setPriority(job, priority);
    this.state.logJob(job, `priority set to ${priority} by an admin`);
    await this.state.commits.committed();
    this.state.emitReady();
    return true;
  }

  /**
   * Switches a live job to or from debug mode, kept across a restart. Answers false if the job is
   * not live; throws InvalidSpecError for a gang job.
   */
  setRunMode(jobId: string, runMode: RunModeBody['runMode']): Promise<boolean> {
    return this.lifecycle.setRunMode(jobId, runMode);
  }

  liveJob(jobId: string): LiveJob | undefined {
    return this.state.live.get(jobId);
  }

  liveJobs(): IterableIterator<LiveJob> {
    return this.state.live.values();
  }

  leasesOf(workerId: string): Lease[] {
    return this.state.leases.ofWorker(workerId);
  }

  /** Tasks completed per second over the last 10 s, on the scheduler's clock (the one completions are stamped with). */
  tasksPerSecond(): number {
    return this.state.completions.perSecond(this.state.now());
  }

  /** Tasks leased now, over every live job: from the counts kept, O(jobs). */
  runningTasks(): number {
    let running = 0;
    for (const job of this.state.live.values()) running += job.tasks.count('leased');
    return running;
  }

  /** The ranks of the live gang attempt running this task; undefined when none runs it. */
  gangOf(jobId: string, taskIndex: number): { rank: number; workerId: string }[] | undefined {
    const attempt = this.state.gangs.ofJob(jobId).find((each) => each.taskIndex === taskIndex);
    return attempt?.members.map(({ rank, workerId }) => ({ rank, workerId }));
  }

  /** Every task by state, across all jobs: kept as tasks move, the store read once (see `TaskCounts`). */
  taskCounts(): Promise<Record<TaskState, number>> {
    return this.state.taskCounts.total(this.state.live);
  }

  queueDepth(): number {
    let depth = 0;
    for (const job of this.state.live.values()) if (job.leasable()) depth += job.queueDepth();
    return depth;
  }

  async close(): Promise<void> {
    for (const job of this.state.live.values()) job.stopTimers();
    await this.state.logs.close();
  }
}
