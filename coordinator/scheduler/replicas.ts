import type { ReplicaResult } from '../../shared/index.js';
import { newId } from './ids.js';

/**
 * The replicas of one validated task: the leases out, the results in, and every worker (and
 * known host) that held one, none of which gets another. The task row holds the group's id as its
 * lease id while it runs; a coordinator restart ends the group (its task is ready again).
 */
export class ReplicaGroup {
  readonly id = newId('replicas');
  /** Outstanding replica leases: lease id → worker id. */
  readonly leases = new Map<string, string>();
  readonly results: ReplicaResult[] = [];
  /** Workers that held a replica, and their hosts where known. */
  readonly workers = new Set<string>();
  readonly hosts = new Set<string>();
  /** Replica leases handed out in all. */
  issued = 0;

  constructor(
    readonly jobId: string,
    readonly taskIndex: number,
    /** Results wanted before judging: 1 for a trusted worker alone, else the quorum or the replicas. */
    public wanted: number,
  ) {}

  /** More replicas are wanted than are out or in. */
  wantsMore(): boolean {
    return this.results.length + this.leases.size < this.wanted;
  }

  /** This worker (and its host) may take a replica: it never held one. */
  admits(workerId: string, host: string | undefined): boolean {
    return !this.workers.has(workerId) && (host === undefined || !this.hosts.has(host));
  }

  add(leaseId: string, workerId: string, host: string | undefined): void {
    this.leases.set(leaseId, workerId);
    this.workers.add(workerId);
    if (host !== undefined) this.hosts.add(host);
    this.issued++;
  }
}

/** Live replica groups, by id and by job. */
export class ReplicaTable {
  private readonly byId = new Map<string, ReplicaGroup>();
  private readonly byJob = new Map<string, Set<ReplicaGroup>>();

  get(id: string): ReplicaGroup | undefined {
    return this.byId.get(id);
  }

  add(group: ReplicaGroup): void {
    this.byId.set(group.id, group);
    let groups = this.byJob.get(group.jobId);
    if (!groups) this.byJob.set(group.jobId, (groups = new Set()));
    groups.add(group);
  }

  remove(group: ReplicaGroup): void {
    this.byId.delete(group.id);
    const groups = this.byJob.get(group.jobId);
    groups?.delete(group);
    if (groups?.size === 0) this.byJob.delete(group.jobId);
  }

  ofJob(jobId: string): ReplicaGroup[] {
    return [...(this.byJob.get(jobId) ?? [])];
  }

  /** The oldest group of this job that wants another replica and admits this worker. */
  claimable(jobId: string, workerId: string, host: string | undefined): ReplicaGroup | undefined {
    for (const group of this.byJob.get(jobId) ?? []) if (group.wantsMore() && group.admits(workerId, host)) return group;
    return undefined;
  }
}
