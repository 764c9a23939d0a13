import { decideRetry, isGangLoss, lapseMessage, outputCountError, type AttemptEnd, type ThrownError } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import { isElastic, type GangLeasing } from './gang-leasing.js';
import type { JobLifecycle } from './lifecycle.js';
import { dropCopy, newlyStalled, promoteCopy, revokeCopy, stalledReplicas } from './backups.js';
import { heldAs, type Lease } from './leases.js';
import type { LiveJob } from './live-job.js';
import type { Replication } from './replication.js';
import type { SchedulerState } from './state.js';

export type ReportOutcome = 'accepted' | 'ignored';
export type CheckpointOutcome = { status: 'stored' | 'ignored' } | { status: 'refused'; reason: string };
/** What a worker says went wrong; `cause: 'gang'`: another member of its gang was lost, not its own fault. */
export type TaskError = ThrownError & { cause?: 'gang' | undefined };
type GangRank = { attempt: string; rank: number };

/** What workers report about their leases (results, failures, checkpoints), and what they fail to (lapses, timeouts). */
export class Reports {
  /** Set once, after construction: replication accepts results through `accept`. */
  replication!: Replication;

  constructor(
    private readonly state: SchedulerState,
    private readonly lifecycle: JobLifecycle,
    private readonly gangs: GangLeasing,
  ) {}

  /** Records a task's outputs if this lease is still the task's current one; answers once committed. */
  async complete(workerId: string, leaseId: string, reported: unknown[]): Promise<ReportOutcome> {
    const outcome = this.result(workerId, leaseId, reported);
    await this.state.commits.committed();
    return outcome;
  }

  /** `complete`, in memory and in the next commit, without waiting for that commit. */
  result(workerId: string, leaseId: string, reported: unknown[]): ReportOutcome {
    const current = this.state.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const { job, task } = current;
    const wrongCount = outputCountError(reported.length, task.itemCount);
    if (wrongCount !== undefined) return this.failure(workerId, leaseId, { message: wrongCount });
    const lease = this.state.leases.get(leaseId)!;
    const ranMs = this.state.now() - lease.startedAt;
    this.state.observer.taskRun(ranMs);
    if (!lease.gang) job.durations.note(ranMs);
    if (lease.replicas !== undefined) this.replication.report(job, task, lease, reported);
    else {
      const gang = lease.gang;
      this.state.endLease(job, leaseId);
      revokeCopy(this.state, job, lease, 'another worker finished this task first');
      const outputs = gang ? this.gangs.report(gang, reported[0]) : reported;
      if (outputs) this.accept(job, task, outputs);
    }
    return 'accepted';
  }

  /** Stores a task's accepted outputs, frees the tasks that waited for it, and completes its job when it was the last. */
  accept(job: LiveJob, task: TaskRecord, outputs: unknown[]): void {
    job.markDone(task, outputs);
    this.state.commits.add({ type: 'updateTask', jobId: job.id, index: task.index, patch: { state: 'done', output: outputs, leaseId: null } });
    this.state.completions.add(this.state.now());
    const freed = job.unblockedBy(task);
    for (const next of freed) this.state.unblock(job, next);
    if (job.allDone()) this.lifecycle.finish(job, 'COMPLETED', null);
    else if (freed.length > 0) this.state.emitReady();
    else this.releaseDebugTurn(job);
  }

  /**
   * Records that a task threw; it is retried, after a backoff, until `retry.maxAttempts` attempts
   * have failed. A member of an elastic gang that lost a peer (`cause: 'gang'`) fails nothing:
   * the gang re-forms.
   */
  async fail(workerId: string, leaseId: string, error: TaskError): Promise<ReportOutcome> {
    const outcome = this.failure(workerId, leaseId, error);
    await this.state.commits.committed();
    return outcome;
  }

  /** `fail`, in memory and in the next commit, without waiting for that commit. */
  failure(workerId: string, leaseId: string, error: TaskError): ReportOutcome {
    const current = this.state.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const lease = this.state.leases.get(leaseId)!;
    if (error.cause !== 'gang') this.replication.records.error(workerId);
    this.failed(current.job, current.task, lease, error);
    return 'accepted';
  }

  private failed(job: LiveJob, task: TaskRecord, lease: Lease, error: TaskError): void {
    if (lease.replicas !== undefined) {
      this.replication.lost(job, task, lease, { type: 'threw', error, workerId: lease.workerId });
      return;
    }
    // A backup copy that failed leaves the first worker to go on; a first worker that failed
    // while a copy runs leaves the task to the copy (it may be the stalling one, failing now).
    if (lease.backupOf !== undefined) {
      dropCopy(this.state, job, lease);
      return;
    }
    if (promoteCopy(this.state, job, task, lease)) return;
    const gang = lease.gang;
    this.state.endLease(job, lease.leaseId);
    if (gang && isGangLoss(error, job.record.spec)) {
      this.reformGang(job, task, gang, `gang re-forming: rank ${gang.rank} lost a peer: ${error.message}`);
      return;
    }
    if (gang) this.gangs.end(job, gang.attempt, `gang attempt ended: rank ${gang.rank} failed: ${error.message}`);
    this.endAttempt(job, task, { type: 'threw', error, workerId: lease.workerId });
    this.releaseDebugTurn(job);
  }

  /** Stores a task's checkpoint; the next attempt of the task starts from it. */
  async checkpoint(workerId: string, leaseId: string, state: unknown): Promise<CheckpointOutcome> {
    const current = this.state.currentLease(workerId, leaseId);
    if (!current) return { status: 'ignored' };
    // A replica's state is one stranger's word: no other replica, nor a later attempt, may start from it.
    if (this.state.leases.get(leaseId)?.replicas !== undefined) {
      return { status: 'refused', reason: 'a validated task keeps no checkpoints: each replica runs from the start' };
    }
    if (this.state.leases.get(leaseId)?.backupOf !== undefined) {
      return { status: 'refused', reason: "a backup copy keeps no checkpoints: the task's first worker does" };
    }
    const size = Buffer.byteLength(JSON.stringify(state) ?? 'null');
    const limit = this.state.options.maxCheckpointBytes ?? 1024 * 1024;
    if (size > limit) return { status: 'refused', reason: `checkpoint of ${size} bytes is over the limit of ${limit} (413); the last stored one stands` };
    current.task.checkpoint = state;
    this.state.commits.add({ type: 'updateTask', jobId: current.job.id, index: current.task.index, patch: { checkpoint: state } });
    await this.state.commits.committed();
    const gang = this.state.leases.get(leaseId)?.gang;
    // Workers parked now may join the gang from this checkpoint: let the gateway offer them.
    if (gang && this.gangs.checkpointed(current.job, gang.attempt)) this.state.emitReady();
    return { status: 'stored' };
  }

  /**
   * Ends lapsed leases (the task is ready again, or an elastic gang re-forms without the lost
   * member) and attempts past their timeout (a failure).
   */
  async sweep(): Promise<void> {
    this.endOverdue();
    await this.state.commits.committed();
  }

  private endOverdue(): void {
    const { leases, live, counters } = this.state;
    const now = this.state.now();
    // A replica that stalled counts as lost: another worker runs one in its place.
    for (const { job, task, lease } of stalledReplicas(this.state)) {
      this.state.emitRevoke(lease, 'stalled: a replica held far longer than the job takes');
      this.replication.lost(job, task, lease, { type: 'lapsed', workerId: lease.workerId });
    }
    for (const lease of leases.overdue(now)) {
      const job = live.get(lease.jobId);
      const task = job?.task(lease.taskIndex);
      if (!job || !task || task.leaseId !== heldAs(lease)) {
        leases.remove(lease.leaseId);
        continue;
      }
      const timedOut = lease.deadline !== undefined && lease.deadline <= now;
      // A backup copy, or a first worker whose copy goes on: no attempt ends.
      if (lease.backupOf !== undefined) dropCopy(this.state, job, lease);
      if (lease.backupOf !== undefined || promoteCopy(this.state, job, task, lease)) {
        this.state.emitRevoke(lease, timedOut ? 'timed out' : 'lease lapsed');
        continue;
      }
      if (lease.replicas !== undefined) {
        if (timedOut) this.replication.records.error(lease.workerId);
        this.state.emitRevoke(lease, timedOut ? 'timed out' : 'lease lapsed');
        const timeoutMs = job.record.spec.retry.timeoutMs ?? 0;
        this.replication.lost(job, task, lease, timedOut ? { type: 'timed-out', timeoutMs, workerId: lease.workerId } : { type: 'lapsed', workerId: lease.workerId });
        continue;
      }
      leases.remove(lease.leaseId);
      job.leased--;
      if (timedOut) {
        if (lease.gang) this.gangs.end(job, lease.gang.attempt, `gang attempt ended: rank ${lease.gang.rank} timed out`);
        counters.timeouts++;
        const timeoutMs = job.record.spec.retry.timeoutMs ?? 0;
        this.state.emitRevoke(lease, `timed out after ${timeoutMs} ms`);
        this.replication.records.error(lease.workerId);
        this.endAttempt(job, task, { type: 'timed-out', timeoutMs, workerId: lease.workerId });
        this.releaseDebugTurn(job);
        continue;
      }
      counters.leaseLapses++;
      this.state.emitRevoke(lease, 'lease lapsed');
      if (lease.gang && isElastic(job)) {
        this.reformGang(job, task, lease.gang, `gang re-forming without rank ${lease.gang.rank}: ${lapseMessage(lease.workerId)}`);
      } else {
        if (lease.gang) this.gangs.end(job, lease.gang.attempt, `gang attempt ended: rank ${lease.gang.rank} was lost`);
        this.endAttempt(job, task, { type: 'lapsed', workerId: lease.workerId });
      }
    }
    if (newlyStalled(this.state)) this.state.emitReady();
  }

  /**
   * An elastic gang lost a member: the attempt ends without a failure, the others are told to
   * stop, and the task is ready at once for a new gang of whoever asks (from its last
   * checkpoint). It counts as a lapse, so `retry.maxLapses` bounds endless re-forming.
   */
  private reformGang(job: LiveJob, task: TaskRecord, gang: GangRank, reason: string): void {
    this.gangs.end(job, gang.attempt, reason);
    this.state.logTask(job, task.index, 'warn', reason);
    this.endAttempt(job, task, { type: 'gang-lost', reason });
  }

  /**
   * An attempt ended without a result: the job rules (`decideRetry`) say whether the task is
   * ready again (after a backoff for a failure, at once for a lapse) or its job fails.
   */
  private endAttempt(job: LiveJob, task: TaskRecord, end: AttemptEnd): void {
    const decision = decideRetry(task, job.record.spec.retry, end, this.state.random);
    this.state.logAttemptEnd(job, task, end, decision);
    Object.assign(task, { failures: decision.failures, lapses: decision.lapses, failedOn: decision.failedOn, lapsedOn: decision.lapsedOn });
    if (decision.type === 'retry') {
      if (decision.exclude !== undefined && !task.excluded.includes(decision.exclude)) {
        task.excluded = [...task.excluded, decision.exclude];
        this.state.logTask(job, task.index, 'warn', `worker ${decision.exclude} used up this task's attempts alone: it waits for another worker`);
      }
      this.state.releaseTask(job, task, decision.error, false, decision.delayMs);
      return;
    }
    this.state.releaseTask(job, task, decision.error, true, 0);
    this.lifecycle.finish(job, 'FAILED', decision.jobError, decision.reason);
  }

  private ignoreLate(): ReportOutcome {
    this.state.counters.lateResults++;
    return 'ignored';
  }

  /**
   * A debug job leases one task at a time, so its ready tasks wait while one runs; when that
   * lease ends, asks parked meanwhile must hear that the next one may go.
   */
  private releaseDebugTurn(job: LiveJob): void {
    if (job.record.spec.runMode === 'debug' && this.state.live.get(job.id) === job && job.hasReady()) this.state.emitReady();
  }
}
