import { DEFAULT_SPEC_LIMITS, InvalidSpecError, OPEN_TASK_STATES, isOpenTask, type JobError, type JobSpec, type PartitionContext } from '../../shared/index.js';
import type { JobRecord } from '../store/index.js';
import { buildJob, rebuildGraph } from './build-job.js';
import { newId } from './ids.js';
import { LiveJob } from './live-job.js';
import type { SchedulerState } from './state.js';

type Ending = 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** A job's life: creation, dependencies on other jobs, pause and resume, and its end. */
export class JobLifecycle {
  /** Told when a live job ends, after its leases are revoked. */
  onEnd: (jobId: string) => void = () => undefined;

  constructor(private readonly state: SchedulerState) {}

  /** Creates a job from a validated spec whose modules are stored as blobs; throws InvalidSpecError for what cannot run. */
  async submit(spec: JobSpec, codeSha: string): Promise<JobRecord> {
    const { store, live } = this.state;
    for (const [position, dependency] of (spec.dependsOn ?? []).entries()) {
      if (!live.has(dependency) && !(await store.getJob(dependency))) {
        throw new InvalidSpecError(`dependsOn.${position}`, `no job ${dependency}`);
      }
    }
    const now = this.state.now();
    const id = newId('job');
    const built = await buildJob(id, spec, { blob: (sha) => store.getBlob(sha), limits: this.limits() }, now);
    const record = await store.createJob(
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
    await this.state.recordEvent(record.id, null, 'SUBMITTED', 'submitted');
    const job = new LiveJob(record, built.tasks, built.graph, now);
    live.set(job.id, job);
    await this.state.transition(job, 'PENDING', `accepted: ${built.tasks.length} tasks`);
    await this.watchDependencies(job);
    if (spec.runMode === 'paused' && live.has(job.id)) await this.state.transition(job, 'PAUSED', 'submitted with runMode paused');
    this.state.emitReady();
    return job.record;
  }

  private limits(): PartitionContext['limits'] {
    const { maxTasks = DEFAULT_SPEC_LIMITS.maxTasks, maxItems = DEFAULT_SPEC_LIMITS.maxItems } = this.state.options;
    return { maxTasks, maxItems };
  }

  /** Records a job refused by policy (too large, queue full): it exists, in state REJECTED, with the reason. */
  async reject(name: string, spec: unknown, reason: string): Promise<JobRecord> {
    const now = this.state.now();
    const record = await this.state.store.createJob(
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
    await this.state.recordEvent(record.id, null, 'REJECTED', reason);
    return record;
  }

  /** Rebuilds a job that was live when the last process stopped, with the leases that were out. */
  async recover(record: JobRecord): Promise<void> {
    const { store, live, leases } = this.state;
    const tasks = await store.listTasks(record.id);
    const now = this.state.now();
    const job = new LiveJob(record, tasks, rebuildGraph(record.spec, tasks), now);
    live.set(job.id, job);
    for (const task of tasks) {
      if (task.state === 'leased' && task.leaseId && job.record.spec.gang) {
        // A gang's members find each other through this process: its attempt ended with it.
        await this.state.releaseTask(job, task, 'gang attempt ended by a coordinator restart', false, 0);
      } else if (task.state === 'leased' && job.record.spec.validation) {
        // Replica results are judged in this process's memory: the group ended with it.
        await this.state.releaseTask(job, task, 'replicas ended by a coordinator restart', false, 0);
      } else if (task.state === 'leased' && task.leaseId && task.workerId) {
        // Its worker gets one lease period to come back and claim it.
        leases.add(this.state.newLease(job, task, task.workerId, task.leaseId));
      } else if (task.state === 'ready' && task.readyAt !== 0) {
        // Backing off when the last process stopped: wait out the rest, or queue it now if it ran out meanwhile.
        job.makeReady(task, task.readyAt, now, () => this.state.emitReady());
      }
    }
    for (const task of job.unblockable()) await this.state.unblock(job, task);
    await this.settleRecovered(job);
    if (live.has(job.id)) await this.watchDependencies(job);
  }

  /** Finishes what a crash may have interrupted between two writes. */
  private async settleRecovered(job: LiveJob): Promise<void> {
    if (job.record.state === 'SUBMITTED') await this.state.transition(job, 'PENDING', 'recovered after a restart');
    const failed = job.tasks.find((task) => task.state === 'failed');
    if (failed) await this.finish(job, 'FAILED', { message: failed.error ?? 'task failed', taskIndex: failed.index });
    // A cancel writes its tasks before its job: cancelled tasks in a live job mean the job write was lost.
    else if (job.tasks.some((task) => task.state === 'cancelled')) await this.finish(job, 'CANCELLED', null, 'cancelled');
    else if (job.allDone()) await this.finish(job, 'COMPLETED', null);
  }

  /** Stops new leases of a pending or running job; running tasks finish. Answers false if it cannot be paused. */
  async pause(jobId: string, reason: string): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (!job || (job.record.state !== 'PENDING' && job.record.state !== 'RUNNING')) return false;
    await this.state.transition(job, 'PAUSED', reason);
    return true;
  }

  /** Lets a paused job lease again. Answers false if it is not paused. */
  async resume(jobId: string): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (job?.record.state !== 'PAUSED') return false;
    const started = job.tasks.some((task) => task.state === 'leased' || task.state === 'done');
    await this.state.transition(job, started ? 'RUNNING' : 'PENDING', 'resumed');
    this.state.emitReady();
    return true;
  }

  /** Ends a live job: its leases are revoked, its open tasks cancelled, the jobs waiting for it told. */
  async finish(job: LiveJob, state: Ending, error: JobError | null, reason?: string): Promise<void> {
    const { live, gangs, leases, store } = this.state;
    // A report whose write was in flight when the job ended (cancelled, say) must not end it again.
    if (live.get(job.id) !== job) return;
    live.delete(job.id);
    job.stopTimers();
    for (const attempt of gangs.ofJob(job.id)) gangs.remove(attempt.id);
    for (const lease of leases.ofJob(job.id)) {
      leases.remove(lease.leaseId);
      this.state.emitRevoke(lease, `job ${state.toLowerCase()}`);
    }
    this.onEnd(job.id);
    for (const task of job.tasks) if (isOpenTask(task.state)) job.setState(task, 'cancelled');
    if (state !== 'COMPLETED') await store.moveTasks(job.id, [...OPEN_TASK_STATES], 'cancelled');
    await this.state.transition(job, state, reason ?? error?.message ?? 'all tasks done', error);
    await this.settleDependents(job.id, state);
  }

  /** Jobs waiting for this one go on (it completed) or fail (it did not). */
  private async settleDependents(jobId: string, state: Ending | 'REJECTED'): Promise<void> {
    for (const dependent of [...this.state.live.values()]) {
      if (!dependent.blockedBy.has(jobId)) continue;
      dependent.blockedBy.delete(jobId);
      if (state === 'COMPLETED') {
        if (dependent.blockedBy.size === 0) this.state.emitReady();
        continue;
      }
      const message = `dependency job ${jobId} ${state === 'CANCELLED' ? 'was cancelled' : state === 'REJECTED' ? 'was rejected' : 'failed'}`;
      await this.finish(dependent, 'FAILED', { message });
    }
  }

  /** Blocks a job on its `dependsOn` jobs that have not completed; fails it if one never will. */
  private async watchDependencies(job: LiveJob): Promise<void> {
    for (const dependency of job.record.spec.dependsOn ?? []) {
      const state = this.state.live.get(dependency)?.record.state ?? (await this.state.store.getJob(dependency))?.state;
      if (state === 'COMPLETED') continue;
      job.blockedBy.add(dependency);
      if (state === undefined || state === 'FAILED' || state === 'CANCELLED' || state === 'REJECTED') {
        await this.settleDependents(dependency, state ?? 'FAILED');
        return;
      }
    }
  }
}
