import type { Capabilities, GangMembership, JobError, JobSpec, JobState, LogLevel, TaskLease } from '../../shared/index.js';
import { JobFeed } from '../events/index.js';
import type { JobRecord, Store, TaskRecord } from '../store/index.js';
import { backoffDelay } from './backoff.js';
import { buildJob, rebuildGraph } from './build-job.js';
import { InvalidSpecError } from '../../shared/index.js';
import { newId } from './ids.js';
import { GangAttempt, GangTable } from './gangs.js';
import { LeaseTable, type Lease } from './leases.js';
import { LiveJob } from './live-job.js';
import { LogBuffer } from './log-buffer.js';
import { mismatch } from './matching.js';
import { CompletionRate } from './rate.js';
import { taskCode, taskInput } from './task-input.js';

export interface SchedulerOptions {
  /** How long a lease lasts without a heartbeat. @default 30000 */
  leaseMs: number;
  /** How long the leases of a worker whose socket closed are kept for it to come back. @default 5000 */
  disconnectGraceMs: number;
  /** Largest checkpoint stored, as JSON bytes; a larger one is refused. @default 1 MiB */
  maxCheckpointBytes?: number;
  now?: () => number;
  random?: () => number;
  /** Where gang members find the signalling server, and the ICE servers they use. */
  signalling?: { path: string; key: string; iceServers: RTCIceServer[] };
}

export type ReportOutcome = 'accepted' | 'ignored';
export type CheckpointOutcome = { status: 'stored' | 'ignored' } | { status: 'refused'; reason: string };
export type RevokeListener = (workerId: string, leaseId: string, reason: string) => void;

/** The worker asking for a task. */
export interface Asker {
  id: string;
  capabilities: Capabilities;
}

type Ending = 'COMPLETED' | 'FAILED' | 'CANCELLED';

/**
 * Hands out tasks to workers that ask (pull scheduling) in dependency order, tracks their
 * leases and checkpoints, and records results exactly once. Live state is in memory; every
 * change is written to the store before it is acknowledged, and `open` rebuilds the live state
 * from the store after a restart.
 */
export class Scheduler {
  private readonly live = new Map<string, LiveJob>();
  private readonly leases = new LeaseTable();
  private readonly gangs = new GangTable();
  private readonly readyListeners = new Set<() => void>();
  private readonly revokeListeners = new Set<RevokeListener>();
  private readonly logs: LogBuffer;
  private readonly now: () => number;
  private readonly random: () => number;
  private turns = 0;
  readonly feed = new JobFeed();
  readonly completions = new CompletionRate();
  readonly counters = { leaseLapses: 0, retries: 0, lateResults: 0, timeouts: 0 };

  private constructor(
    private readonly store: Store,
    private readonly options: SchedulerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logs = new LogBuffer(store, this.feed);
  }

  /** Loads every job that may still change and the leases that were out when the last process stopped. */
  static async open(store: Store, options: SchedulerOptions): Promise<Scheduler> {
    const scheduler = new Scheduler(store, options);
    for (const record of await store.listActiveJobs()) await scheduler.recover(record);
    return scheduler;
  }

  private async recover(record: JobRecord): Promise<void> {
    const tasks = await this.store.listTasks(record.id);
    const job = new LiveJob(record, tasks, rebuildGraph(record.spec, tasks));
    this.live.set(job.id, job);
    const now = this.now();
    for (const task of tasks) {
      if (task.state === 'leased' && task.leaseId && job.record.spec.gang) {
        // A gang's members find each other through this process: its attempt ended with it.
        await this.releaseTask(job, task, 'gang attempt ended by a coordinator restart', false, 0);
      } else if (task.state === 'leased' && task.leaseId && task.workerId) {
        // Its worker gets one lease period to come back and claim it.
        this.leases.add(this.newLease(job, task, task.workerId, task.leaseId));
      } else if (task.state === 'ready' && task.readyAt !== 0) {
        // Backing off when the last process stopped: wait out the rest, or queue it now if it ran out meanwhile.
        job.makeReady(task, task.readyAt, now, () => this.emitReady());
      }
    }
    for (const task of job.unblockable()) await this.unblock(job, task);
    await this.settleRecovered(job);
    if (this.live.has(job.id)) await this.watchDependencies(job);
  }

  /** Finishes what a crash may have interrupted between two writes. */
  private async settleRecovered(job: LiveJob): Promise<void> {
    if (job.record.state === 'SUBMITTED') await this.transition(job, 'PENDING', 'recovered after a restart');
    const failed = job.tasks.find((task) => task.state === 'failed');
    if (failed) await this.finishJob(job, 'FAILED', { message: failed.error ?? 'task failed', taskIndex: failed.index });
    // A cancel writes its tasks before its job: cancelled tasks in a live job mean the job write was lost.
    else if (job.tasks.some((task) => task.state === 'cancelled')) await this.finishJob(job, 'CANCELLED', null, 'cancelled');
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

  /**
   * Creates a job from a validated spec whose modules (`code`, `reduce`) are already stored as
   * blobs, `codeSha` naming the task code. Throws InvalidSpecError for what parses but cannot
   * run (cycles, unknown jobs or blobs).
   */
  async submit(spec: JobSpec, codeSha: string): Promise<JobRecord> {
    for (const [position, dependency] of (spec.dependsOn ?? []).entries()) {
      if (!this.live.has(dependency) && !(await this.store.getJob(dependency))) {
        throw new InvalidSpecError(`dependsOn.${position}`, `no job ${dependency}`);
      }
    }
    const now = this.now();
    const id = newId('job');
    const built = await buildJob(id, spec, { blob: (sha) => this.store.getBlob(sha) }, now);
    const record = await this.store.createJob(
      {
        id,
        name: spec.name,
        state: 'SUBMITTED',
        priority: spec.priority,
        spec,
        codeSha,
        itemCount: built.units,
        taskCount: built.tasks.length,
        error: null,
        idempotencyKey: spec.idempotencyKey ?? null,
        createdAt: now,
        updatedAt: now,
      },
      built.tasks,
    );
    await this.recordEvent(record.id, null, 'SUBMITTED', 'submitted');
    const job = new LiveJob(record, built.tasks, built.graph);
    this.live.set(job.id, job);
    await this.transition(job, 'PENDING', `accepted: ${built.tasks.length} tasks`);
    await this.watchDependencies(job);
    if (spec.runMode === 'paused' && this.live.has(job.id)) await this.transition(job, 'PAUSED', 'submitted with runMode paused');
    this.emitReady();
    return job.record;
  }

  /** Records a job refused by policy (too large, queue full): it exists, in state REJECTED, with the reason. */
  async reject(name: string, spec: unknown, reason: string): Promise<JobRecord> {
    const now = this.now();
    const record = await this.store.createJob(
      {
        id: newId('job'),
        name,
        state: 'REJECTED',
        priority: 0,
        spec: spec as JobSpec,
        codeSha: '',
        itemCount: 0,
        taskCount: 0,
        error: { message: reason },
        idempotencyKey: null,
        createdAt: now,
        updatedAt: now,
      },
      [],
    );
    await this.recordEvent(record.id, null, 'REJECTED', reason);
    return record;
  }

  /** Leases the best ready task this worker may run, or answers undefined when there is none. */
  async leaseNext(asker: Asker): Promise<TaskLease | undefined> {
    const job = this.pickJob(asker);
    const task = job?.takeReady();
    if (!job || !task) return undefined;
    const lease = this.grant(job, task, asker.id);
    const writes = [this.store.updateTask(job.id, task.index, { state: 'leased', attempts: task.attempts, leaseId: lease.leaseId, workerId: asker.id })];
    if (job.record.state === 'PENDING') writes.push(this.transition(job, 'RUNNING', `task ${task.index} leased to ${asker.id}`));
    await Promise.all(writes);
    // Cancelled while the write was in flight: look again rather than hand out a dead task.
    if (!this.leases.get(lease.leaseId)) return this.leaseNext(asker);
    return this.leaseMessage(job, task, lease);
  }

  /**
   * Leases one gang task to several of these waiting workers at once, when enough of them
   * match: `gang.size` of them, or for an elastic gang between `min` and `max`. Answers each
   * member's lease by worker id (empty when no gang can start now).
   */
  async leaseGang(askers: Asker[]): Promise<Map<string, TaskLease>> {
    const job = this.pickGangJob(askers);
    if (!job) return new Map();
    const gang = job.record.spec.gang!;
    const matching = askers.filter((asker) => !mismatch(asker.capabilities, job.record.spec.requires, false));
    const members = matching.slice(0, gang.size ?? Math.min(gang.max!, matching.length));
    const task = job.takeReady()!;
    const leases = members.map((member) => ({ workerId: member.id, leaseId: newId('lease') }));
    const attempt = new GangAttempt(job.id, task.index, leases, gang.resultRank);
    Object.assign(task, { state: 'leased', attempts: task.attempts + 1, leaseId: attempt.id, workerId: members[0]!.id });
    for (const member of attempt.members) {
      const lease = this.newLease(job, task, member.workerId, member.leaseId);
      lease.gang = { attempt: attempt.id, rank: member.rank };
      this.leases.add(lease);
      job.leased++;
    }
    this.gangs.add(attempt);
    job.turn = ++this.turns;
    const writes = [this.store.updateTask(job.id, task.index, { state: 'leased', attempts: task.attempts, leaseId: attempt.id, workerId: members[0]!.id })];
    if (job.record.state === 'PENDING') writes.push(this.transition(job, 'RUNNING', `task ${task.index} leased to a gang of ${members.length}`));
    await Promise.all(writes);
    const messages = new Map<string, TaskLease>();
    if (!this.gangs.get(attempt.id)) return messages;
    for (const member of attempt.members) {
      const message = this.leaseMessage(job, task, this.leases.get(member.leaseId)!);
      message.gang = this.membership(attempt, member.rank);
      messages.set(member.workerId, message);
    }
    return messages;
  }

  private pickGangJob(askers: Asker[]): LiveJob | undefined {
    let best: LiveJob | undefined;
    for (const job of this.live.values()) {
      const gang = job.record.spec.gang;
      if (!gang || !job.leasable() || !job.hasReady()) continue;
      const matching = askers.filter((asker) => !mismatch(asker.capabilities, job.record.spec.requires, false)).length;
      if (matching < (gang.size ?? gang.min!)) continue;
      if (!best || before(job, best)) best = job;
    }
    return best;
  }

  private membership(attempt: GangAttempt, rank: number): GangMembership {
    const signalling = this.options.signalling ?? { path: '/peerjs', key: 'tabgrid', iceServers: [] };
    const gang = this.live.get(attempt.jobId)!.record.spec.gang!;
    return {
      attempt: attempt.id,
      rank,
      size: attempt.members.length,
      peerIds: attempt.peerIds,
      signalling: { path: signalling.path, key: signalling.key },
      iceServers: signalling.iceServers.map((server) => ({ ...server, urls: server.urls })),
      timeoutMs: gang.timeoutMs,
    };
  }

  /** True for a peer id this coordinator handed to a member of a live gang attempt. */
  isIssuedPeer(peerId: string): boolean {
    return this.gangs.isIssuedPeer(peerId);
  }

  /** Live jobs by priority, then whose turn it is (equal priorities take turns), then age. */
  private pickJob(asker: Asker): LiveJob | undefined {
    let best: LiveJob | undefined;
    for (const job of this.live.values()) {
      if (job.record.spec.gang || !job.leasable() || !job.hasReady()) continue;
      const debug = job.record.spec.runMode === 'debug';
      if (debug && job.leased > 0) continue;
      if (mismatch(asker.capabilities, job.record.spec.requires, debug)) continue;
      if (!best || before(job, best)) best = job;
    }
    if (best) best.turn = ++this.turns;
    return best;
  }

  private leaseMessage(job: LiveJob, task: TaskRecord, lease: Lease): TaskLease {
    const spec = job.record.spec;
    const message: TaskLease = {
      type: 'lease',
      leaseId: lease.leaseId,
      jobId: job.id,
      jobName: job.record.name,
      taskIndex: task.index,
      attempt: task.attempts,
      code: taskCode(spec, job.record.codeSha, task === job.reduceTask()),
      input: taskInput(job, task),
    };
    if (task.checkpoint !== undefined) message.restored = task.checkpoint;
    if (spec.runMode === 'debug') message.debug = true;
    if (spec.retry.timeoutMs !== undefined) message.timeoutMs = spec.retry.timeoutMs;
    return message;
  }

  /** Records a task's outputs if this lease is still the task's current one. */
  async complete(workerId: string, leaseId: string, reported: unknown[]): Promise<ReportOutcome> {
    let outputs = reported;
    const current = this.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const { job, task } = current;
    if (outputs.length !== task.itemCount) {
      return this.fail(workerId, leaseId, { message: `result has ${outputs.length} outputs for ${task.itemCount} items` });
    }
    const lease = this.leases.get(leaseId)!;
    this.endLease(job, leaseId);
    if (lease.gang) {
      const attempt = this.gangs.get(lease.gang.attempt)!;
      attempt.report(lease.gang.rank, outputs[0]);
      if (!attempt.allReported()) return 'accepted';
      this.gangs.remove(attempt.id);
      outputs = [attempt.output()];
    }
    Object.assign(task, { state: 'done', output: outputs, leaseId: null });
    await this.store.updateTask(job.id, task.index, { state: 'done', output: outputs, leaseId: null });
    this.completions.add(this.now());
    const freed = job.unblockedBy(task);
    for (const next of freed) await this.unblock(job, next);
    if (job.allDone()) await this.finishJob(job, 'COMPLETED', null);
    else if (freed.length > 0) this.emitReady();
    else this.releaseDebugTurn(job);
    return 'accepted';
  }

  /** Records that a task threw; it is retried, after a backoff, until `retry.maxAttempts` attempts have failed. */
  async fail(workerId: string, leaseId: string, error: { message: string; stack?: string | undefined }): Promise<ReportOutcome> {
    const current = this.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const gang = this.leases.get(leaseId)?.gang;
    this.endLease(current.job, leaseId);
    if (gang) this.endGangAttempt(current.job, gang.attempt, `rank ${gang.rank} failed: ${error.message}`);
    await this.failAttempt(current.job, current.task, error);
    this.releaseDebugTurn(current.job);
    return 'accepted';
  }

  private async failAttempt(job: LiveJob, task: TaskRecord, error: { message: string; stack?: string | undefined }): Promise<void> {
    task.failures++;
    const retry = job.record.spec.retry;
    const exhausted = task.failures >= retry.maxAttempts;
    const delay = exhausted ? 0 : backoffDelay(retry.backoff, task.failures, this.random);
    await this.releaseTask(job, task, error.message, exhausted, delay);
    if (!exhausted) return;
    const jobError: JobError = { message: error.message, taskIndex: task.index };
    if (error.stack !== undefined) jobError.stack = error.stack;
    await this.finishJob(job, 'FAILED', jobError, `task ${task.index} failed ${task.failures} times: ${error.message}`);
  }

  /** Stores a task's checkpoint; the next attempt of the task starts from it. */
  async checkpoint(workerId: string, leaseId: string, state: unknown): Promise<CheckpointOutcome> {
    const current = this.currentLease(workerId, leaseId);
    if (!current) return { status: 'ignored' };
    const size = Buffer.byteLength(JSON.stringify(state) ?? 'null');
    const limit = this.options.maxCheckpointBytes ?? 1024 * 1024;
    if (size > limit) return { status: 'refused', reason: `checkpoint of ${size} bytes is over the limit of ${limit} (413); the last stored one stands` };
    current.task.checkpoint = state;
    await this.store.updateTask(current.job.id, current.task.index, { checkpoint: state });
    return { status: 'stored' };
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

  /** Writes buffered task logs now (before reading them back). */
  flushLogs(): Promise<void> {
    return this.logs.flush();
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

  /** Ends lapsed leases (the task is ready again) and attempts past their timeout (a failure). Call it often. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const lease of this.leases.overdue(now)) {
      const job = this.live.get(lease.jobId);
      const task = job?.tasks[lease.taskIndex];
      this.leases.remove(lease.leaseId);
      if (!job || !task || task.leaseId !== (lease.gang?.attempt ?? lease.leaseId)) continue;
      job.leased--;
      if (lease.gang) this.endGangAttempt(job, lease.gang.attempt, `rank ${lease.gang.rank} was lost`);
      if (lease.deadline !== undefined && lease.deadline <= now) {
        this.counters.timeouts++;
        const timeoutMs = job.record.spec.retry.timeoutMs ?? 0;
        this.emitRevoke(lease, `timed out after ${timeoutMs} ms`);
        await this.failAttempt(job, task, { message: `task ${task.index} timed out after ${timeoutMs} ms` });
        this.releaseDebugTurn(job);
        continue;
      }
      this.counters.leaseLapses++;
      this.emitRevoke(lease, 'lease lapsed');
      task.lapses++;
      const exhausted = task.lapses >= job.record.spec.retry.maxLapses;
      const reason = `lease lapsed on worker ${lease.workerId}`;
      await this.releaseTask(job, task, reason, exhausted, 0);
      if (exhausted) await this.finishJob(job, 'FAILED', { message: `${reason} ${task.lapses} times`, taskIndex: task.index });
    }
  }

  /** Cancels a job that has not finished; answers false if it had. */
  async cancel(jobId: string): Promise<boolean> {
    const job = this.live.get(jobId);
    if (!job) return false;
    await this.finishJob(job, 'CANCELLED', null, 'cancelled');
    return true;
  }

  /** Stops new leases of a pending or running job; running tasks finish. Answers false if it cannot be paused. */
  async pause(jobId: string, reason = 'paused'): Promise<boolean> {
    const job = this.live.get(jobId);
    if (!job || (job.record.state !== 'PENDING' && job.record.state !== 'RUNNING')) return false;
    await this.transition(job, 'PAUSED', reason);
    return true;
  }

  /** Lets a paused job lease again. Answers false if it is not paused. */
  async resume(jobId: string): Promise<boolean> {
    const job = this.live.get(jobId);
    if (job?.record.state !== 'PAUSED') return false;
    const started = job.tasks.some((task) => task.state === 'leased' || task.state === 'done');
    await this.transition(job, started ? 'RUNNING' : 'PENDING', 'resumed');
    this.emitReady();
    return true;
  }

  liveJob(jobId: string): LiveJob | undefined {
    return this.live.get(jobId);
  }

  liveJobs(): IterableIterator<LiveJob> {
    return this.live.values();
  }

  leasesOf(workerId: string): Lease[] {
    return this.leases.ofWorker(workerId);
  }

  /** Tasks completed per second over the last 10 s, on the scheduler's clock (the one completions are stamped with). */
  tasksPerSecond(): number {
    return this.completions.perSecond(this.now());
  }

  queueDepth(): number {
    let depth = 0;
    for (const job of this.live.values()) if (job.leasable()) depth += job.queueDepth();
    return depth;
  }

  async close(): Promise<void> {
    for (const job of this.live.values()) job.stopTimers();
    await this.logs.close();
  }

  private newLease(job: LiveJob, task: TaskRecord, workerId: string, leaseId = newId('lease')): Lease {
    const now = this.now();
    const timeoutMs = job.record.spec.retry.timeoutMs;
    const lease: Lease = { leaseId, jobId: job.id, taskIndex: task.index, workerId, expiresAt: now + this.options.leaseMs, progress: 0 };
    if (timeoutMs !== undefined) lease.deadline = now + timeoutMs;
    return lease;
  }

  private grant(job: LiveJob, task: TaskRecord, workerId: string): Lease {
    const lease = this.newLease(job, task, workerId);
    Object.assign(task, { state: 'leased', attempts: task.attempts + 1, leaseId: lease.leaseId, workerId });
    this.leases.add(lease);
    job.leased++;
    return lease;
  }

  private endLease(job: LiveJob, leaseId: string): void {
    if (this.leases.remove(leaseId)) job.leased--;
  }

  private currentLease(workerId: string, leaseId: string): { job: LiveJob; task: TaskRecord } | undefined {
    const lease = this.leases.get(leaseId);
    if (lease?.workerId !== workerId) return undefined;
    const job = this.live.get(lease.jobId);
    const task = job?.tasks[lease.taskIndex];
    if (!job || task?.leaseId !== (lease.gang?.attempt ?? leaseId) || task.state !== 'leased') return undefined;
    return { job, task };
  }

  /** One member failed or was lost: the whole attempt ends, and the other members are told to stop. */
  private endGangAttempt(job: LiveJob, attemptId: string, reason: string): void {
    const attempt = this.gangs.remove(attemptId);
    for (const member of attempt?.members ?? []) {
      const lease = this.leases.get(member.leaseId);
      if (!lease) continue;
      this.endLease(job, member.leaseId);
      this.emitRevoke(lease, `gang attempt ended: ${reason}`);
    }
  }

  private ignoreLate(): ReportOutcome {
    this.counters.lateResults++;
    return 'ignored';
  }

  private async unblock(job: LiveJob, task: TaskRecord): Promise<void> {
    job.makeReady(task, 0, this.now(), () => this.emitReady());
    await this.store.updateTask(job.id, task.index, { state: 'ready' });
  }

  /** Ends a lease without a result: the task goes back to the queue (after `delayMs`), or fails for good. */
  private async releaseTask(job: LiveJob, task: TaskRecord, reason: string, exhausted: boolean, delayMs: number): Promise<void> {
    task.leaseId = null;
    task.error = reason;
    const now = this.now();
    if (exhausted) task.state = 'failed';
    else {
      this.counters.retries++;
      job.makeReady(task, now + delayMs, now, () => this.emitReady());
    }
    const { state, failures, lapses, readyAt } = task;
    await this.store.updateTask(job.id, task.index, { state, failures, lapses, leaseId: null, error: reason, readyAt });
    if (!exhausted && readyAt === 0) this.emitReady();
  }

  private async finishJob(job: LiveJob, state: Ending, error: JobError | null, reason?: string): Promise<void> {
    // A report whose write was in flight when the job ended (cancelled, say) must not end it again.
    if (this.live.get(job.id) !== job) return;
    this.live.delete(job.id);
    job.stopTimers();
    for (const attempt of this.gangs.ofJob(job.id)) this.gangs.remove(attempt.id);
    for (const lease of this.leases.ofJob(job.id)) {
      this.leases.remove(lease.leaseId);
      this.emitRevoke(lease, `job ${state.toLowerCase()}`);
    }
    for (const task of job.tasks) {
      if (task.state === 'ready' || task.state === 'leased' || task.state === 'blocked') task.state = 'cancelled';
    }
    if (state !== 'COMPLETED') await this.store.moveTasks(job.id, ['ready', 'leased', 'blocked'], 'cancelled');
    await this.transition(job, state, reason ?? error?.message ?? 'all tasks done', error);
    await this.settleDependents(job.id, state);
  }

  /** Jobs waiting for this one go on (it completed) or fail (it did not). */
  private async settleDependents(jobId: string, state: Ending | 'REJECTED'): Promise<void> {
    for (const dependent of [...this.live.values()]) {
      if (!dependent.blockedBy.has(jobId)) continue;
      dependent.blockedBy.delete(jobId);
      if (state === 'COMPLETED') {
        if (dependent.blockedBy.size === 0) this.emitReady();
        continue;
      }
      const message = `dependency job ${jobId} ${state === 'CANCELLED' ? 'was cancelled' : state === 'REJECTED' ? 'was rejected' : 'failed'}`;
      await this.finishJob(dependent, 'FAILED', { message });
    }
  }

  /** Blocks a job on its `dependsOn` jobs that have not completed; fails it if one never will. */
  private async watchDependencies(job: LiveJob): Promise<void> {
    for (const dependency of job.record.spec.dependsOn ?? []) {
      const state = this.live.get(dependency)?.record.state ?? (await this.store.getJob(dependency))?.state;
      if (state === 'COMPLETED') continue;
      if (state === undefined || state === 'FAILED' || state === 'CANCELLED' || state === 'REJECTED') {
        job.blockedBy.add(dependency);
        await this.settleDependents(dependency, state ?? 'FAILED');
        return;
      }
      job.blockedBy.add(dependency);
    }
  }

  private async transition(job: LiveJob, to: JobState, reason: string, error: JobError | null = job.record.error): Promise<void> {
    const from = job.record.state;
    job.record = { ...job.record, state: to, error, updatedAt: this.now() };
    await this.store.updateJob(job.id, { state: to, error });
    await this.recordEvent(job.id, from, to, reason);
  }

  private async recordEvent(jobId: string, from: JobState | null, to: JobState, reason: string): Promise<void> {
    const event = await this.store.appendJobEvent({ jobId, time: this.now(), from, to, reason });
    this.feed.publishEvent(event);
  }

  /**
   * A debug job leases one task at a time, so its ready tasks wait while one runs; when that
   * lease ends, asks parked meanwhile must hear that the next one may go.
   */
  private releaseDebugTurn(job: LiveJob): void {
    if (job.record.spec.runMode === 'debug' && this.live.get(job.id) === job && job.hasReady()) this.emitReady();
  }

  private emitReady(): void {
    for (const listener of this.readyListeners) listener();
  }

  private emitRevoke(lease: Lease, reason: string): void {
    for (const listener of this.revokeListeners) listener(lease.workerId, lease.leaseId, reason);
  }
}

function before(a: LiveJob, b: LiveJob): boolean {
  if (a.record.priority !== b.record.priority) return a.record.priority > b.record.priority;
  if (a.turn !== b.turn) return a.turn < b.turn;
  return a.record.seq < b.record.seq;
}
