import { decideRetry, findQuorum, type AttemptEnd, type TaskLease, type Validation } from '../../shared/index.js';
import type { TaskRecord } from '../store/index.js';
import type { JobLifecycle } from './lifecycle.js';
import type { Lease } from './leases.js';
import { leaseMessage } from './task-input.js';
import type { LiveJob } from './live-job.js';
import { ReplicaGroup, ReplicaTable } from './replicas.js';
import { spotCheckRate, WorkerRecords } from './reputation.js';
import type { Asker, SchedulerState } from './state.js';

/** What validation did for one job: the replication factor is `leases / accepted`. */
export interface ValidationStats {
  /** Replica leases handed out. */
  leases: number;
  /** Tasks whose result was accepted. */
  accepted: number;
  /** Of those, accepted by a quorum (the rest: a trusted worker's result alone). */
  checked: number;
  /** Results that disagreed with their quorum. */
  disagreements: number;
  /** Results taken back because their worker was caught lying later. */
  rechecked: number;
}

/** Stores a task's accepted outputs and moves its job on (the scheduler's one way to finish a task). */
export type AcceptResult = (job: LiveJob, task: TaskRecord, outputs: unknown[]) => void;

const key = (jobId: string, index: number): string => `${jobId}#${index}`;

/**
 * Validation by replication and quorum, with adaptive replication by reputation (BOINC's
 * scheme). A validated task runs as a group of replica leases on workers with distinct
 * identities and hosts; its result is accepted when `quorum` results agree, and the workers whose
 * results did not agree lose their streak (and, past a threshold, are quarantined: their replicas
 * are revoked and the results they gave alone are checked again). A trusted worker may run a
 * task alone, spot-checked at a rate its streak sets.
 */
export class Replication {
  readonly records: WorkerRecords;
  private readonly groups = new ReplicaTable();
  private readonly stats = new Map<string, ValidationStats>();
  /** Tasks accepted on one worker's word, by job, then by worker: what a caught worker's lie may have touched. */
  private readonly unchecked = new Map<string, Map<string, Set<number>>>();
  /** Tasks taken back from a caught worker: their next result needs a full quorum. */
  private readonly mustCheck = new Set<string>();

  constructor(
    private readonly state: SchedulerState,
    private readonly lifecycle: JobLifecycle,
    private readonly accept: AcceptResult,
  ) {
    this.records = new WorkerRecords(state.store, state.commits, state.now);
  }

  statsOf(jobId: string): ValidationStats | undefined {
    return this.stats.get(jobId);
  }

  /** A validated job has a task this worker may take: a group wanting another replica, or a ready task. */
  hasWorkFor(job: LiveJob, asker: Asker): boolean {
    return this.claimable(job, asker) !== undefined || job.hasReadyFor(asker.id);
  }

  /** Leases a replica of a running group, or starts a group on a ready task (in the next commit, not waiting for it). */
  lease(job: LiveJob, asker: Asker): TaskLease | undefined {
    const validation = job.record.spec.validation!;
    let group = this.claimable(job, asker);
    let task: TaskRecord | undefined;
    if (group) task = job.task(group.taskIndex);
    else {
      task = job.takeReady(asker.id);
      if (!task) return undefined;
      group = new ReplicaGroup(job.id, task.index, this.wanted(job, task, asker, validation));
      this.groups.add(group);
    }
    if (!task) return undefined;
    const lease: Lease = { ...this.state.newLease(job, task, asker.id), replicas: group.id };
    this.state.lease(job, task, asker.id, group.id, `task ${task.index} leased to ${asker.id}`);
    this.state.leases.add(lease);
    job.leased++;
    group.add(lease.leaseId, asker.id, asker.host);
    this.statsFor(job.id).leases++;
    // Parked workers may take the replicas this group still wants.
    if (group.wantsMore()) this.state.emitReady();
    return leaseMessage(job, task, lease);
  }

  /** A replica's result: judged with the others; the task is done once a quorum agrees. */
  report(job: LiveJob, task: TaskRecord, lease: Lease, outputs: unknown[]): void {
    const group = this.groups.get(lease.replicas!);
    this.state.endLease(job, lease.leaseId);
    if (!group) return;
    group.leases.delete(lease.leaseId);
    group.results.push({ workerId: lease.workerId, outputs });
    this.judge(job, task, group);
  }

  /**
   * A replica ended without a result (it threw, timed out or lapsed): the job rules count it as
   * for any task, and unless they fail the job the group asks for another replica.
   */
  lost(job: LiveJob, task: TaskRecord, lease: Lease, end: AttemptEnd): void {
    const group = this.groups.get(lease.replicas!);
    this.state.endLease(job, lease.leaseId);
    if (!group) return;
    group.leases.delete(lease.leaseId);
    const decision = decideRetry(task, job.record.spec.retry, end, this.state.random);
    this.state.logAttemptEnd(job, task, end, decision);
    Object.assign(task, { failures: decision.failures, lapses: decision.lapses, failedOn: decision.failedOn, lapsedOn: decision.lapsedOn, error: decision.error });
    if (decision.type === 'retry' && decision.exclude !== undefined && !task.excluded.includes(decision.exclude)) {
      task.excluded = [...task.excluded, decision.exclude];
    }
    const { failures, lapses, error } = decision;
    const blame = { failedOn: task.failedOn, lapsedOn: task.lapsedOn, excluded: task.excluded };
    this.state.commits.add({ type: 'updateTask', jobId: job.id, index: task.index, patch: { failures, lapses, error, blame } });
    if (decision.type === 'fail-job') {
      this.close(group);
      this.state.releaseTask(job, task, decision.error, true, 0);
      this.lifecycle.finish(job, 'FAILED', decision.jobError, decision.reason);
      return;
    }
    // The lost replica does not count against `maxReplicas`: it said nothing.
    group.issued--;
    this.judge(job, task, group);
  }

  /** The worker's results disagreed with quorums too often: it gets no more validated work. */
  quarantined(workerId: string): void {
    for (const listener of this.state.quarantineListeners) listener(workerId, this.records.get(workerId).note);
    for (const lease of this.state.leases.ofWorker(workerId)) {
      if (lease.replicas === undefined) continue;
      const job = this.state.live.get(lease.jobId);
      this.state.emitRevoke(lease, 'worker quarantined');
      if (job) this.state.endLease(job, lease.leaseId);
      this.groups.get(lease.replicas)?.leases.delete(lease.leaseId);
    }
    for (const [jobId, byWorker] of this.unchecked) {
      const indices = byWorker.get(workerId);
      byWorker.delete(workerId);
      const job = this.state.live.get(jobId);
      if (!indices || !job) continue;
      for (const index of indices) this.recheck(job, job.task(index)!, workerId);
    }
    this.state.emitReady();
  }

  /** A job ended: its groups go, with what was kept to recheck its results. */
  forget(jobId: string): void {
    for (const group of this.groups.ofJob(jobId)) this.groups.remove(group);
    this.unchecked.delete(jobId);
  }

  private claimable(job: LiveJob, asker: Asker): ReplicaGroup | undefined {
    const max = job.record.spec.validation!.maxReplicas;
    const group = this.groups.claimable(job.id, asker.id, asker.host);
    return group && group.issued < max ? group : undefined;
  }

  /**
   * Results a new group waits for: every replica for an untrusted worker (or without
   * `adaptive`, or for a result taken back), else the trusted worker alone, spot-checked at its
   * rate by a quorum.
   */
  private wanted(job: LiveJob, task: TaskRecord, asker: Asker, validation: Validation): number {
    const taskKey = key(job.id, task.index);
    if (!validation.adaptive || this.mustCheck.has(taskKey)) return validation.replicas;
    const rate = spotCheckRate(this.records.get(asker.id).streak);
    if (rate >= 1) return validation.replicas;
    return this.state.random() < rate ? validation.quorum : 1;
  }

  private judge(job: LiveJob, task: TaskRecord, group: ReplicaGroup): void {
    const validation = job.record.spec.validation!;
    if (group.wanted === 1 && group.results.length === 1) {
      const [alone] = group.results;
      this.close(group);
      this.noteUnchecked(job.id, task.index, alone!.workerId);
      this.statsFor(job.id).accepted++;
      this.accept(job, task, alone!.outputs);
      return;
    }
    const outcome = findQuorum(group.results, validation.quorum, validation.tolerance);
    if (outcome.type === 'quorum') {
      this.close(group);
      this.mustCheck.delete(key(job.id, task.index));
      const stats = this.statsFor(job.id);
      stats.accepted++;
      stats.checked++;
      stats.disagreements += outcome.disagreeing.length;
      for (const workerId of outcome.agreeing) this.records.valid(workerId);
      this.accept(job, task, outcome.canonical.outputs);
      for (const workerId of outcome.disagreeing) {
        this.state.logTask(job, task.index, 'warn', `worker ${workerId}'s result disagreed with the quorum of ${outcome.agreeing.length}`);
        if (this.records.invalid(workerId)) this.quarantined(workerId);
      }
      return;
    }
    if (group.leases.size > 0 || group.wantsMore()) {
      if (group.wantsMore()) this.state.emitReady();
      return;
    }
    // Every result is in and no quorum: one more replica breaks the tie, up to `maxReplicas`.
    if (group.issued < validation.maxReplicas) {
      group.wanted = group.results.length + 1;
      this.state.logTask(job, task.index, 'warn', `${group.results.length} results disagree: asking for replica ${group.wanted}`);
      this.state.emitReady();
      return;
    }
    this.close(group);
    const workers = group.results.map((result) => result.workerId).join(', ');
    const message = `no quorum: ${group.results.length} results, no ${validation.quorum} of them agree (workers ${workers} disagree)`;
    this.state.releaseTask(job, task, message, true, 0);
    this.lifecycle.finish(job, 'FAILED', { message, taskIndex: task.index }, `task ${task.index}: ${message}`);
  }

  /** Takes back a result one worker gave alone, if nothing used it yet; the task runs again, checked. */
  private recheck(job: LiveJob, task: TaskRecord, workerId: string): void {
    if (!job.reopen(task)) {
      this.state.logTask(job, task.index, 'warn', `the unchecked result of quarantined worker ${workerId} was already used by later tasks: it stands`);
      return;
    }
    this.mustCheck.add(key(job.id, task.index));
    if (!task.excluded.includes(workerId)) task.excluded = [...task.excluded, workerId];
    this.statsFor(job.id).rechecked++;
    this.state.logTask(job, task.index, 'warn', `result taken back: it came unchecked from worker ${workerId}, since quarantined`);
    job.makeReady(task, 0, this.state.now(), () => this.state.emitReady());
    const blame = { failedOn: task.failedOn, lapsedOn: task.lapsedOn, excluded: task.excluded };
    this.state.commits.add({ type: 'updateTask', jobId: job.id, index: task.index, patch: { state: 'ready', output: null, readyAt: 0, blame } });
  }

  /** Ends a group: replicas still out are told to stop (their results would change nothing). */
  private close(group: ReplicaGroup): void {
    this.groups.remove(group);
    for (const leaseId of group.leases.keys()) {
      const lease = this.state.leases.get(leaseId);
      const job = this.state.live.get(group.jobId);
      if (!lease || !job) continue;
      this.state.endLease(job, leaseId);
      this.state.emitRevoke(lease, 'enough replicas agreed');
    }
    group.leases.clear();
  }

  private noteUnchecked(jobId: string, index: number, workerId: string): void {
    let byWorker = this.unchecked.get(jobId);
    if (!byWorker) this.unchecked.set(jobId, (byWorker = new Map<string, Set<number>>()));
    let indices = byWorker.get(workerId);
    if (!indices) byWorker.set(workerId, (indices = new Set()));
    indices.add(index);
  }

  private statsFor(jobId: string): ValidationStats {
    let stats = this.stats.get(jobId);
    if (!stats) this.stats.set(jobId, (stats = { leases: 0, accepted: 0, checked: 0, disagreements: 0, rechecked: 0 }));
    return stats;
  }
}
