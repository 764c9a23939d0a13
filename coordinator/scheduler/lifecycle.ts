import {
  DEFAULT_SPEC_LIMITS,
  InvalidSpecError,
  OPEN_TASK_STATES,
  assertJobMove,
  assertTaskMove,
  counted,
  isTerminal,
  type JobError,
  type JobSpec,
  type JobState,
  type PartitionContext,
  type RunModeBody,
  type TaskState,
} from '../../shared/index.js';
import type { JobRecord, NewJob, NewJobEvent, NewTask, StoreChange, TaskPatch } from '../store/index.js';
import { buildJob, newTaskRecord, newTaskTable, newTasks, rebuildGraph } from './build-job.js';
import { newId } from './ids.js';
import { LiveJob, holdsWhole } from './live-job.js';
import { TaskTable } from './task-table.js';
import type { SchedulerState } from './state.js';

type Ending = 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** A job's life: creation, dependencies on other jobs, pause and resume, run mode, its end, and a failed job's retry. */
export class JobLifecycle {
  /** Told when a live job ends, after its leases are revoked. */
  onEnd: (jobId: string) => void = () => undefined;
  /** Live jobs waiting for each job they depend on: a job's end looks at its own dependents, not every live job. */
  private readonly dependents = new Map<string, Set<LiveJob>>();
  /** Failed jobs whose retry is under way: a second retry of one at once finds it taken. */
  private readonly retrying = new Set<string>();

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
    const built = await buildJob(spec, { blob: (sha) => store.getBlob(sha), limits: this.limits() });
    const taskCount = built.shares.length;
    // A job whose dependency has already ended without completing is created failed, in the same transaction.
    const doomed = [...(await this.dependencyStates(spec.dependsOn))].find(([, state]) => state !== 'COMPLETED' && state !== undefined && isTerminal(state));
    const events: NewJobEvent[] = [
      { jobId: id, time: now, from: null, to: 'SUBMITTED', reason: 'submitted' },
      { jobId: id, time: now, from: 'SUBMITTED', to: 'PENDING', reason: `accepted: ${acceptedTasks(taskCount, spec)}` },
    ];
    let state: JobState = 'PENDING';
    let error: JobError | null = null;
    if (doomed) {
      error = { message: dependencyFailure(...doomed) };
      events.push({ jobId: id, time: now, from: state, to: (state = 'FAILED'), reason: error.message });
    } else if (spec.runMode === 'paused') {
      events.push({ jobId: id, time: now, from: state, to: (state = 'PAUSED'), reason: 'submitted with runMode paused' });
    }
    const newJob: NewJob = {
      id,
      name: spec.name,
      state,
      priority: spec.priority,
      spec,
      codeSha,
      itemCount: built.units,
      taskCount,
      error,
      idempotencyKey: spec.idempotencyKey ?? null,
      createdAt: now,
      updatedAt: now,
    };
    if (doomed) {
      const created = await this.create(newJob, newTasks(built, 'cancelled'), events);
      this.state.taskCounts.forget();
      return created;
    }
    // Held from the start: every task of a job that keeps them all; else none, and the first
    // window is read back (so that the records written, a million maybe, all die young).
    const whole = holdsWhole(spec, built.graph);
    const warm = whole ? Array.from(newTasks(built), (task) => newTaskRecord(id, task, now)) : [];
    const record = await this.create(newJob, whole ? warm : newTasks(built), events);
    const job = new LiveJob(record, newTaskTable(built), built.graph, warm, this.state.loader(id), now);
    this.state.addLive(job);
    await job.prefetch();
    // Read again: a dependency may have ended while the job was written.
    this.watchDependencies(job, await this.dependencyStates(spec.dependsOn));
    await this.state.commits.committed();
    this.state.emitReady();
    return job.record;
  }

  /** Writes a new job, its tasks and its first events in one transaction of its own (a refused write refuses only this job). */
  private async create(job: NewJob, tasks: Iterable<NewTask>, events: NewJobEvent[]): Promise<JobRecord> {
    const changes: StoreChange[] = [{ type: 'createJob', job, tasks }, ...events.map((event): StoreChange => ({ type: 'appendEvent', event }))];
    const answers = await this.state.store.write(changes);
    events.forEach((event, index) => this.state.feed.publishEvent({ ...event, id: answers[index + 1]![0]! }));
    return { ...job, seq: answers[0]![0]! };
  }

  private limits(): PartitionContext['limits'] {
    const { maxTasks = DEFAULT_SPEC_LIMITS.maxTasks, maxItems = DEFAULT_SPEC_LIMITS.maxItems } = this.state.options;
    return { maxTasks, maxItems };
  }

  /** Records a job refused by policy (too large, queue full): it exists, in state REJECTED, with the reason. */
  async reject(name: string, spec: unknown, reason: string): Promise<JobRecord> {
    const now = this.state.now();
    const id = newId('job');
    const job: NewJob = {
      id,
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
    };
    return this.create(job, [], [{ jobId: id, time: now, from: null, to: 'REJECTED', reason }]);
  }

  /**
   * Rebuilds a job that was live when the last process stopped, as the store has it: every
   * transition was one transaction, so there is nothing half-done to repair. What does not
   * survive a restart by design ends now: a gang's attempt (its members found each other through
   * this process) and a validated task's replica group (judged in this process's memory).
   */
  async recover(record: JobRecord): Promise<void> {
    const { store, leases } = this.state;
    const shapes = await store.listTaskShapes(record.id);
    const graph = rebuildGraph(record.spec, shapes);
    const now = this.state.now();
    // Held from the start: every task of a job that keeps them all, else those with a lease or a
    // history (blame, backoff) and the first window of the queue.
    const whole = holdsWhole(record.spec, graph);
    const warm = await store.listTasks(record.id, whole ? {} : { states: ['leased', 'ready', 'failed'], tried: true });
    const job = new LiveJob(record, TaskTable.fromShapes(shapes), graph, warm, this.state.loader(record.id), now);
    this.state.addLive(job);
    await job.prefetch();
    for (const task of warm) {
      if (task.state === 'leased' && task.leaseId && job.record.spec.gang) {
        this.state.releaseTask(job, task, 'gang attempt ended by a coordinator restart', false, 0);
      } else if (task.state === 'leased' && job.record.spec.validation) {
        this.state.releaseTask(job, task, 'replicas ended by a coordinator restart', false, 0);
      } else if (task.state === 'leased' && task.leaseId && task.workerId) {
        // Its worker gets one lease period to come back and claim it.
        leases.add(this.state.newLease(job, task, task.workerId, task.leaseId));
      } else if (task.state === 'ready' && task.readyAt !== 0) {
        // Backing off when the last process stopped: wait out the rest, or queue it now if it ran out meanwhile.
        job.makeReady(task, task.readyAt, now, () => this.state.emitReady());
      }
    }
    this.watchDependencies(job, await this.dependencyStates(job.record.spec.dependsOn));
    await this.state.commits.committed();
  }

  /** Stops new leases of a pending or running job; running tasks finish. Answers false if it cannot be paused. */
  async pause(jobId: string, reason: string): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (!job || (job.record.state !== 'PENDING' && job.record.state !== 'RUNNING')) return false;
    this.state.transition(job, 'PAUSED', reason);
    await this.state.commits.committed();
    return true;
  }

  /** Lets a paused job lease again. Answers false if it is not paused. */
  async resume(jobId: string): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (job?.record.state !== 'PAUSED') return false;
    const started = job.tasks.count('leased') + job.tasks.count('done') > 0;
    this.state.transition(job, started ? 'RUNNING' : 'PENDING', 'resumed');
    await this.state.commits.committed();
    this.state.emitReady();
    return true;
  }

  /**
   * Switches a live job to or from debug mode (its tasks one at a time, to debug workers): kept in
   * its spec, so a restart keeps it. Answers false if the job is not live; throws
   * InvalidSpecError for a gang job (its ranks run together, elastic or not).
   */
  async setRunMode(jobId: string, runMode: RunModeBody['runMode']): Promise<boolean> {
    const job = this.state.live.get(jobId);
    if (!job) return false;
    if (job.record.spec.gang) throw new InvalidSpecError('runMode', `a gang job keeps its run mode (${job.record.spec.runMode})`);
    const spec: JobSpec = { ...job.record.spec, runMode };
    job.record = { ...job.record, spec, updatedAt: this.state.now() };
    this.state.commits.add({ type: 'updateJob', id: job.id, patch: { spec } });
    this.state.logJob(job, `run mode set to ${runMode} by an admin`);
    await this.state.commits.committed();
    // Out of debug mode its tasks go to any worker again: the asks parked meanwhile look again.
    this.state.offer(job);
    this.state.emitReady();
    return true;
  }

  /**
   * Retries a FAILED job: its failed tasks, and those cancelled when it failed, go back to `ready`
   * (`blocked` while a predecessor is not done) with a fresh retry budget (failures, lapses and
   * blame start over; attempts and checkpoints stay); its error and end are cleared and it is
   * PENDING again. All of it is one transaction with its event; then the job is loaded live as a
   * restart loads it, and leases as any job. Jobs that failed because it failed (`dependsOn`) stay
   * failed. Answers how many tasks went back, or undefined when the job is not FAILED.
   */
  async retry(jobId: string): Promise<number | undefined> {
    if (this.state.live.has(jobId) || this.retrying.has(jobId)) return undefined;
    this.retrying.add(jobId);
    try {
      const record = await this.state.store.getJob(jobId);
      if (record?.state !== 'FAILED') return undefined;
      const count = await this.reopenTasks(record);
      const { endedAt: _ended, ...rest } = record;
      await this.recover({ ...rest, state: 'PENDING', error: null, updatedAt: this.state.now() });
      // Counted as ended until now, and live from now on.
      this.state.taskCounts.forget();
      this.state.emitReady();
      return count;
    } finally {
      this.retrying.delete(jobId);
    }
  }

  /** Writes a failed job's retry (see `retry`) in one commit; answers how many tasks went back. */
  private async reopenTasks(record: JobRecord): Promise<number> {
    const { store, commits } = this.state;
    const shapes = await store.listTaskShapes(record.id);
    const graph = rebuildGraph(record.spec, shapes);
    const reopened = shapes.filter((task) => task.state === 'failed' || task.state === 'cancelled');
    const waits = (index: number): boolean => graph.taskPredecessors[index]!.some((predecessor) => shapes[predecessor]!.state !== 'done');
    assertJobMove('FAILED', 'PENDING');
    for (const task of reopened) {
      const to: TaskState = waits(task.index) ? 'blocked' : 'ready';
      assertTaskMove(task.state, to);
      if (to === 'blocked') commits.add({ type: 'updateTask', jobId: record.id, index: task.index, patch: { state: 'blocked', ...FRESH_BUDGET } });
    }
    commits.add({ type: 'moveTasks', jobId: record.id, from: ['failed', 'cancelled'], to: 'ready', fresh: true });
    commits.add({ type: 'updateJob', id: record.id, patch: { state: 'PENDING', error: null, endedAt: null, finalCounts: null } });
    this.state.recordEvent(record.id, 'FAILED', 'PENDING', `retrying ${reopened.length} failed tasks (by an admin)`);
    await commits.committed();
    return reopened.length;
  }

  /** Ends a live job: its leases are revoked, its open tasks cancelled, the jobs waiting for it told. */
  finish(job: LiveJob, state: Ending, error: JobError | null, reason?: string): void {
    const { live, gangs, leases, commits } = this.state;
    // A report whose write was in flight when the job ended (cancelled, say) must not end it again.
    if (live.get(job.id) !== job) return;
    this.state.removeLive(job);
    job.stopTimers();
    for (const attempt of gangs.ofJob(job.id)) gangs.remove(attempt.id);
    for (const lease of leases.ofJob(job.id)) {
      leases.remove(lease.leaseId);
      this.state.emitRevoke(lease, `job ${state.toLowerCase()}`);
    }
    this.onEnd(job.id);
    job.tasks.moveAll(OPEN_TASK_STATES, 'cancelled');
    this.state.taskCounts.jobEnded(job);
    if (state !== 'COMPLETED') commits.add({ type: 'moveTasks', jobId: job.id, from: [...OPEN_TASK_STATES], to: 'cancelled' });
    this.state.transition(job, state, reason ?? error?.message ?? 'all tasks done', error);
    this.settleDependents(job.id, state);
  }

  /** Jobs waiting for this one go on (it completed) or fail (it did not). */
  private settleDependents(jobId: string, state: Ending | 'REJECTED'): void {
    const waiting = this.dependents.get(jobId);
    this.dependents.delete(jobId);
    for (const dependent of waiting ?? []) {
      if (this.state.live.get(dependent.id) !== dependent || !dependent.blockedBy.delete(jobId)) continue;
      if (state === 'COMPLETED') {
        if (dependent.blockedBy.size > 0) continue;
        this.state.offer(dependent);
        this.state.emitReady();
        continue;
      }
      this.finish(dependent, 'FAILED', { message: dependencyFailure(jobId, state) });
    }
  }

  /**
   * The state of each job this one depends on (undefined: no such job), live ones from memory;
   * read again if a live one ended while the others were read.
   */
  private async dependencyStates(dependsOn: string[] = []): Promise<Map<string, JobState | undefined>> {
    const { live, store } = this.state;
    for (;;) {
      const states = new Map<string, JobState | undefined>();
      for (const dependency of dependsOn) {
        states.set(dependency, live.get(dependency)?.record.state ?? (await store.getJob(dependency))?.state);
      }
      if ([...states].every(([dependency, state]) => state === undefined || isTerminal(state) || live.has(dependency))) return states;
    }
  }

  /** Blocks a job on its `dependsOn` jobs that have not completed; fails it if one never will. */
  private watchDependencies(job: LiveJob, states: Map<string, JobState | undefined>): void {
    for (const [dependency, state] of states) {
      if (state === 'COMPLETED') continue;
      job.blockedBy.add(dependency);
      let waiting = this.dependents.get(dependency);
      if (!waiting) this.dependents.set(dependency, (waiting = new Set()));
      waiting.add(job);
      if (state === undefined || state === 'FAILED' || state === 'CANCELLED' || state === 'REJECTED') {
        this.settleDependents(dependency, state ?? 'FAILED');
        return;
      }
    }
  }
}

/** A task's retry budget as it starts (a failed job retried): what `moveTasks` with `fresh` writes. */
const FRESH_BUDGET: TaskPatch = { failures: 0, lapses: 0, blame: { failedOn: [], lapsedOn: [], excluded: [] }, error: null, readyAt: 0, leaseId: null };

/** Why a job failed when a job it depends on ended without completing. */
function dependencyFailure(jobId: string, state: JobState | undefined): string {
  return `dependency job ${jobId} ${state === 'CANCELLED' ? 'was cancelled' : state === 'REJECTED' ? 'was rejected' : 'failed'}`;
}

/**
 * What a new job was cut into, as its PENDING event says it.
 * @example acceptedTasks(11, { reduce: 'export default ...' }) // '10 tasks and a reduce step'
 */
function acceptedTasks(taskCount: number, spec: Pick<JobSpec, 'reduce'>): string {
  return spec.reduce === undefined ? counted(taskCount, 'task') : `${counted(taskCount - 1, 'task')} and a reduce step`;
}
