import type { JobError } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import { backoffDelay } from './backoff.js';
import { isElastic, type GangLeasing } from './gang-leasing.js';
import type { JobLifecycle } from './lifecycle.js';
import type { LiveJob } from './live-job.js';
import type { SchedulerState } from './state.js';

export type ReportOutcome = 'accepted' | 'ignored';
export type CheckpointOutcome = { status: 'stored' | 'ignored' } | { status: 'refused'; reason: string };
/** What a worker says went wrong; `cause: 'gang'`: another member of its gang was lost, not its own fault. */
type TaskError = { message: string; stack?: string | undefined; cause?: 'gang' | undefined };
type GangRank = { attempt: string; rank: number };

/** What workers report about their leases (results, failures, checkpoints), and what they fail to (lapses, timeouts). */
export class Reports {
  constructor(
    private readonly state: SchedulerState,
    private readonly lifecycle: JobLifecycle,
    private readonly gangs: GangLeasing,
  ) {}

  /** Records a task's outputs if this lease is still the task's current one. */
  async complete(workerId: string, leaseId: string, reported: unknown[]): Promise<ReportOutcome> {
    const current = this.state.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const { job, task } = current;
    if (reported.length !== task.itemCount) {
      return this.fail(workerId, leaseId, { message: `result has ${reported.length} outputs for ${task.itemCount} items` });
    }
    const gang = this.state.leases.get(leaseId)?.gang;
    this.state.endLease(job, leaseId);
    const outputs = gang ? this.gangs.report(gang, reported[0]) : reported;
    if (!outputs) return 'accepted';
    job.markDone(task, outputs);
    await this.state.store.updateTask(job.id, task.index, { state: 'done', output: outputs, leaseId: null });
    this.state.completions.add(this.state.now());
    const freed = job.unblockedBy(task);
    for (const next of freed) await this.state.unblock(job, next);
    if (job.allDone()) await this.lifecycle.finish(job, 'COMPLETED', null);
    else if (freed.length > 0) this.state.emitReady();
    else this.releaseDebugTurn(job);
    return 'accepted';
  }

  /**
   * Records that a task threw; it is retried, after a backoff, until `retry.maxAttempts` attempts
   * have failed. A member of an elastic gang that lost a peer (`cause: 'gang'`) fails nothing:
   * the gang re-forms.
   */
  async fail(workerId: string, leaseId: string, error: TaskError): Promise<ReportOutcome> {
    const current = this.state.currentLease(workerId, leaseId);
    if (!current) return this.ignoreLate();
    const gang = this.state.leases.get(leaseId)?.gang;
    this.state.endLease(current.job, leaseId);
    if (gang && error.cause === 'gang' && isElastic(current.job)) {
      await this.reformGang(current.job, current.task, gang, `gang re-forming: rank ${gang.rank} lost a peer: ${error.message}`);
      return 'accepted';
    }
    if (gang) this.gangs.end(current.job, gang.attempt, `gang attempt ended: rank ${gang.rank} failed: ${error.message}`);
    await this.failAttempt(current.job, current.task, error);
    this.releaseDebugTurn(current.job);
    return 'accepted';
  }

  /** Stores a task's checkpoint; the next attempt of the task starts from it. */
  async checkpoint(workerId: string, leaseId: string, state: unknown): Promise<CheckpointOutcome> {
    const current = this.state.currentLease(workerId, leaseId);
    if (!current) return { status: 'ignored' };
    const size = Buffer.byteLength(JSON.stringify(state) ?? 'null');
    const limit = this.state.options.maxCheckpointBytes ?? 1024 * 1024;
    if (size > limit) return { status: 'refused', reason: `checkpoint of ${size} bytes is over the limit of ${limit} (413); the last stored one stands` };
    current.task.checkpoint = state;
    await this.state.store.updateTask(current.job.id, current.task.index, { checkpoint: state });
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
    const { leases, live, counters } = this.state;
    const now = this.state.now();
    for (const lease of leases.overdue(now)) {
      const job = live.get(lease.jobId);
      const task = job?.tasks[lease.taskIndex];
      leases.remove(lease.leaseId);
      if (!job || !task || task.leaseId !== (lease.gang?.attempt ?? lease.leaseId)) continue;
      job.leased--;
      if (lease.deadline !== undefined && lease.deadline <= now) {
        if (lease.gang) this.gangs.end(job, lease.gang.attempt, `gang attempt ended: rank ${lease.gang.rank} timed out`);
        counters.timeouts++;
        const timeoutMs = job.record.spec.retry.timeoutMs ?? 0;
        this.state.emitRevoke(lease, `timed out after ${timeoutMs} ms`);
        await this.failAttempt(job, task, { message: `task ${task.index} timed out after ${timeoutMs} ms` });
        this.releaseDebugTurn(job);
        continue;
      }
      counters.leaseLapses++;
      this.state.emitRevoke(lease, 'lease lapsed');
      const reason = `lease lapsed on worker ${lease.workerId}`;
      if (lease.gang && isElastic(job)) await this.reformGang(job, task, lease.gang, `gang re-forming without rank ${lease.gang.rank}: ${reason}`);
      else {
        if (lease.gang) this.gangs.end(job, lease.gang.attempt, `gang attempt ended: rank ${lease.gang.rank} was lost`);
        await this.lapse(job, task, reason, reason);
      }
    }
  }

  /**
   * An elastic gang lost a member: the attempt ends without a failure, the others are told to
   * stop, and the task is ready at once for a new gang of whoever asks (from its last
   * checkpoint). It counts as a lapse, so `retry.maxLapses` bounds endless re-forming.
   */
  private async reformGang(job: LiveJob, task: TaskRecord, gang: GangRank, reason: string): Promise<void> {
    this.gangs.end(job, gang.attempt, reason);
    this.state.logTask(job, task.index, 'warn', reason);
    await this.lapse(job, task, reason, 'the gang lost a member');
  }

  /** The attempt ended through no fault of the task's code: ready again at once, until `retry.maxLapses` lapses fail the job. */
  private async lapse(job: LiveJob, task: TaskRecord, reason: string, what: string): Promise<void> {
    task.lapses++;
    const exhausted = task.lapses >= job.record.spec.retry.maxLapses;
    await this.state.releaseTask(job, task, reason, exhausted, 0);
    if (exhausted) await this.lifecycle.finish(job, 'FAILED', { message: `${what} ${task.lapses} times`, taskIndex: task.index });
  }

  private async failAttempt(job: LiveJob, task: TaskRecord, error: TaskError): Promise<void> {
    task.failures++;
    const retry = job.record.spec.retry;
    const exhausted = task.failures >= retry.maxAttempts;
    const delay = exhausted ? 0 : backoffDelay(retry.backoff, task.failures, this.state.random);
    await this.state.releaseTask(job, task, error.message, exhausted, delay);
    if (!exhausted) return;
    const jobError: JobError = { message: error.message, taskIndex: task.index };
    if (error.stack !== undefined) jobError.stack = error.stack;
    await this.lifecycle.finish(job, 'FAILED', jobError, `task ${task.index} failed ${task.failures} times: ${error.message}`);
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
