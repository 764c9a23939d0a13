import type { GangMembership, TaskLease } from '../../shared/index.js';
import { GangAttempt } from './gangs.js';
import { newId } from './ids.js';
import { leaseMessage } from './leasing.js';
import type { LiveJob } from './live-job.js';
import { mismatch } from './matching.js';
import { before, type Asker, type SchedulerState } from './state.js';

/** Gang tasks: leased to several workers at once, done when all report, ended whole when one member is lost. */
export class GangLeasing {
  constructor(private readonly state: SchedulerState) {}

  /**
   * Leases one gang task to several of these waiting workers at once, when enough of them
   * match: `gang.size` of them, or for an elastic gang between `min` and `max`. Answers each
   * member's lease by worker id (empty when no gang can start now).
   */
  async lease(askers: Asker[]): Promise<Map<string, TaskLease>> {
    const { state } = this;
    const job = this.pickJob(askers);
    if (!job) return new Map();
    const gang = job.record.spec.gang!;
    const members = this.matching(job, askers).slice(0, gang.size ?? gang.max!);
    const task = job.takeReady()!;
    const attempt = new GangAttempt(
      job.id,
      task.index,
      members.map((member) => ({ workerId: member.id, leaseId: newId('lease') })),
      gang.resultRank,
    );
    Object.assign(task, { state: 'leased', attempts: task.attempts + 1, leaseId: attempt.id, workerId: members[0]!.id });
    for (const member of attempt.members) {
      const lease = state.newLease(job, task, member.workerId, member.leaseId);
      lease.gang = { attempt: attempt.id, rank: member.rank };
      state.leases.add(lease);
      job.leased++;
    }
    state.gangs.add(attempt);
    job.turn = ++state.turns;
    const writes = [state.store.updateTask(job.id, task.index, { state: 'leased', attempts: task.attempts, leaseId: attempt.id, workerId: members[0]!.id })];
    if (job.record.state === 'PENDING') writes.push(state.transition(job, 'RUNNING', `task ${task.index} leased to a gang of ${members.length}`));
    await Promise.all(writes);
    const messages = new Map<string, TaskLease>();
    if (!state.gangs.get(attempt.id)) return messages;
    for (const member of attempt.members) {
      const message = leaseMessage(job, task, state.leases.get(member.leaseId)!);
      message.gang = this.membership(job, attempt, member.rank);
      messages.set(member.workerId, message);
    }
    return messages;
  }

  /** True when some live gang job has a ready task (so waiting workers are worth offering to it). */
  hasReady(): boolean {
    for (const job of this.state.live.values()) if (job.record.spec.gang && job.leasable() && job.hasReady()) return true;
    return false;
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

  /** One member failed or was lost: the whole attempt ends, and the other members are told to stop. */
  end(job: LiveJob, attemptId: string, reason: string): void {
    const attempt = this.state.gangs.remove(attemptId);
    for (const member of attempt?.members ?? []) {
      const lease = this.state.leases.get(member.leaseId);
      if (!lease) continue;
      this.state.endLease(job, member.leaseId);
      this.state.emitRevoke(lease, `gang attempt ended: ${reason}`);
    }
  }

  private matching(job: LiveJob, askers: Asker[]): Asker[] {
    return askers.filter((asker) => !mismatch(asker.capabilities, job.record.spec.requires, false));
  }

  private pickJob(askers: Asker[]): LiveJob | undefined {
    let best: LiveJob | undefined;
    for (const job of this.state.live.values()) {
      const gang = job.record.spec.gang;
      if (!gang || !job.leasable() || !job.hasReady()) continue;
      if (this.matching(job, askers).length < (gang.size ?? gang.min!)) continue;
      if (!best || before(job, best)) best = job;
    }
    return best;
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
