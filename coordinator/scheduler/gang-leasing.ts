import type { GangMembership, TaskLease } from '../../shared/index.js';
import { gangBounds, growthFrom, largestGroup } from './gang-formation.js';
import { GangAttempt } from './gangs.js';
import { newId } from './ids.js';
import { leaseMessage } from './task-input.js';
import type { LiveJob } from './live-job.js';
import { mismatch } from './matching.js';
import type { Asker, SchedulerState } from './state.js';

/** One member's lease of a gang task. A node worker that takes a whole gang gets one per rank. */
export interface GangLease {
  workerId: string;
  lease: TaskLease;
}

/**
 * Gang tasks: leased to several workers at once, done when all report, ended whole when one
 * member is lost. An elastic gang waits a rendezvous window for `max` workers before it starts
 * with fewer, and re-forms (from its last checkpoint) to take in workers parked when it stores one.
 */
export class GangLeasing {
  /** Attempts that stored a checkpoint since the last look: workers parked now may join them. */
  private readonly growable = new Set<string>();

  constructor(private readonly state: SchedulerState) {}

  /**
   * Leases one gang task to a group of these waiting workers at once, when one can start now:
   * `gang.size` of them, or for an elastic gang between `min` and `max` (fewer than `max` only
   * once the task has been ready `rendezvousMs`). Answers each rank's lease (empty when no gang
   * can start now). First re-forms elastic attempts that these workers can grow.
   */
  async lease(askers: Asker[]): Promise<GangLease[]> {
    this.growAtCheckpoints(askers);
    const chosen = this.pickFormation(askers);
    if (chosen) return this.form(chosen.job, chosen.group, askers);
    await this.state.commits.committed();
    return [];
  }

  /** True when some gang task is ready, or an elastic attempt might grow (so waiting workers are worth offering). */
  hasReady(): boolean {
    if (this.growable.size > 0) return true;
    return this.state.queues.gangs.find((job) => (job.leasable() && job.hasReady()) || 'drop') !== undefined;
  }

  /** A member's result. Answers the task's outputs once every member has reported, else undefined. */
  report(gang: { attempt: string; rank: number }, output: unknown): unknown[] | undefined {
    const attempt = this.state.gangs.get(gang.attempt);
    if (!attempt) return undefined;
    attempt.report(gang.rank, output);
    if (!attempt.allReported()) return undefined;
    this.state.gangs.remove(attempt.id);
    return [attempt.output()];
  }

  /** A member stored a checkpoint: an elastic attempt below `max` may take in parked workers now. Answers whether it may. */
  checkpointed(job: LiveJob, attemptId: string): boolean {
    const attempt = this.state.gangs.get(attemptId);
    const gang = job.record.spec.gang;
    if (!attempt || !gang || !isElastic(job) || attempt.members.length >= gangBounds(gang).max) return false;
    this.growable.add(attemptId);
    return true;
  }

  /** The attempt ends (a member failed or was lost, or it re-forms): the members still running are told to stop. */
  end(job: LiveJob, attemptId: string, reason: string): void {
    const attempt = this.state.gangs.remove(attemptId);
    this.growable.delete(attemptId);
    for (const member of attempt?.members ?? []) {
      const lease = this.state.leases.get(member.leaseId);
      if (!lease) continue;
      this.state.endLease(job, member.leaseId);
      this.state.emitRevoke(lease, reason);
    }
  }

  /**
   * Re-forms, from the checkpoint just stored, each attempt that parked workers can grow. A
   * checkpoint is looked at once: workers that come later join at the next one, so the work
   * since the last checkpoint is never thrown away for them.
   */
  private growAtCheckpoints(askers: Asker[]): void {
    const attempts = [...this.growable].map((id) => this.state.gangs.get(id));
    this.growable.clear();
    for (const attempt of attempts) if (attempt) this.grow(attempt, askers);
  }

  private grow(attempt: GangAttempt, askers: Asker[]): void {
    const job = this.state.live.get(attempt.jobId);
    const task = job?.task(attempt.taskIndex);
    // A paused job's running tasks finish; one member done means the rest are close behind.
    if (!job?.leasable() || task?.leaseId !== attempt.id || attempt.anyReported()) return;
    const joining = growthFrom(gangBounds(job.record.spec.gang!), attempt, this.matching(job, askers));
    if (joining === 0) return;
    const reason = `gang re-forming at checkpoint to add ${joining} ${attempt.onNode ? 'rank' : 'worker'}${joining === 1 ? '' : 's'}`;
    this.end(job, attempt.id, reason);
    this.state.logTask(job, task.index, 'info', reason);
    this.state.requeue(job, task);
  }

  /** The job to start a gang for now, and its group: the first in lease order that can start one, as for single tasks. */
  private pickFormation(askers: Asker[]): { job: LiveJob; group: string[] } | undefined {
    let group: string[] | undefined;
    const job = this.state.queues.gangs.find((job) => {
      const head = job.leasable() ? job.peekReady() : undefined;
      if (!head) return 'drop';
      group = this.groupFor(job, head.since, askers);
      return group !== undefined;
    });
    return job && group && { job, group };
  }

  /**
   * The group to start the job's next task with now, if it may start: `max` workers at once,
   * fewer (at least `min`) once the task has been ready `rendezvousMs`; until then the job is
   * woken when the window ends, so the workers already there need not ask again.
   */
  private groupFor(job: LiveJob, readySince: number, askers: Asker[]): string[] | undefined {
    const gang = job.record.spec.gang!;
    const bounds = gangBounds(gang);
    const group = largestGroup(bounds, this.matching(job, askers));
    if (!group || group.length === bounds.max) return group;
    const now = this.state.now();
    const windowEnds = readySince + gang.rendezvousMs;
    if (now >= windowEnds) return group;
    job.wakeAt(windowEnds, now, () => this.state.emitReady());
    return undefined;
  }

  private async form(job: LiveJob, group: string[], askers: Asker[]): Promise<GangLease[]> {
    const { state } = this;
    const gang = job.record.spec.gang!;
    const task = job.takeReady()!;
    const first = group[0]!;
    const onNode = askers.find((asker) => asker.id === first)?.capabilities.runtime === 'node';
    const members = group.map((workerId) => ({ workerId, leaseId: newId('lease') }));
    const attempt = new GangAttempt(job.id, task.index, members, gang.resultRank, onNode);
    state.lease(job, task, first, attempt.id, `task ${task.index} leased to a gang of ${group.length}`);
    for (const member of attempt.members) {
      const lease = state.newLease(job, task, member.workerId, member.leaseId);
      lease.gang = { attempt: attempt.id, rank: member.rank };
      state.leases.add(lease);
      job.leased++;
    }
    state.gangs.add(attempt);
    state.takeTurn(job);
    await state.commits.committed();
    // Cancelled while the commit was in flight: its leases are gone.
    if (!state.gangs.get(attempt.id)) return [];
    if (isElastic(job)) state.logTask(job, task.index, 'info', this.formedMessage(job, attempt, task.attempts));
    return attempt.members.map((member) => {
      const lease = leaseMessage(job, task, state.leases.get(member.leaseId)!);
      lease.gang = this.membership(job, attempt, member.rank);
      return { workerId: member.workerId, lease };
    });
  }

  private formedMessage(job: LiveJob, attempt: GangAttempt, attemptNumber: number): string {
    const max = gangBounds(job.record.spec.gang!).max;
    const where = attempt.onNode ? ` on node worker ${attempt.members[0]!.workerId}` : '';
    return `gang ${attemptNumber > 1 ? 're-formed' : 'formed'} with ${attempt.members.length} of ${max} ranks${where} (attempt ${attemptNumber})`;
  }

  private matching(job: LiveJob, askers: Asker[]): Asker[] {
    const debug = job.record.spec.runMode === 'debug';
    return askers.filter((asker) => !mismatch(asker.capabilities, job.record.spec.requires, debug));
  }

  private membership(job: LiveJob, attempt: GangAttempt, rank: number): GangMembership {
    const signalling = this.state.options.signalling ?? { path: '/peerjs', key: 'tabgrid', iceServers: [] };
    return {
      attempt: attempt.id,
      rank,
      size: attempt.members.length,
      peerIds: attempt.peerIds,
      signalling: { path: signalling.path, key: signalling.key },
      iceServers: signalling.iceServers.map((server) => ({ ...server, urls: server.urls })),
      timeoutMs: job.record.spec.gang!.timeoutMs,
    };
  }
}

/** An elastic gang re-forms when a member is lost, and grows at checkpoints; a fixed one does neither. */
export function isElastic(job: LiveJob): boolean {
  return job.record.spec.runMode === 'elastic';
}
