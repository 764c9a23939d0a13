/** A task handed to a worker, held in memory; the task row holds its id for restarts. */
export interface Lease {
  leaseId: string;
  jobId: string;
  taskIndex: number;
  workerId: string;
  expiresAt: number;
  /** Fraction of the task done, as last reported. */
  progress: number;
  /** The attempt times out at this time (`retry.timeoutMs`). */
  deadline?: number;
  /** This lease is one member of a gang attempt. */
  gang?: { attempt: string; rank: number };
  /** This lease is one replica of a validated task: its group's id. */
  replicas?: string;
  /** When it was granted. */
  startedAt: number;
  /** The asking worker's host, where the coordinator can tell. */
  host?: string;
  /** This lease is a backup copy of that stalled lease (see `backups.ts`). */
  backupOf?: string;
  /** This stalled lease has that backup copy running beside it. */
  backup?: string;
  /** Parked workers were told once that this lease stalled. */
  stallAnnounced?: boolean;
}

/** The id the task row holds while this lease runs: its gang attempt's, its replica group's, its primary's (a backup copy), or its own. */
export function heldAs(lease: Lease): string {
  return lease.gang?.attempt ?? lease.replicas ?? lease.backupOf ?? lease.leaseId;
}

/** Leases by id and by worker. */
export class LeaseTable {
  private readonly byId = new Map<string, Lease>();
  private readonly byWorker = new Map<string, Set<string>>();

  /** @param onChange told when a lease is added, removed or given to another worker (what workers hold changed) */
  constructor(private readonly onChange: () => void = () => undefined) {}

  get size(): number {
    return this.byId.size;
  }

  get(leaseId: string): Lease | undefined {
    return this.byId.get(leaseId);
  }

  add(lease: Lease): void {
    this.byId.set(lease.leaseId, lease);
    let ids = this.byWorker.get(lease.workerId);
    if (!ids) this.byWorker.set(lease.workerId, (ids = new Set()));
    ids.add(lease.leaseId);
    this.onChange();
  }

  remove(leaseId: string): Lease | undefined {
    const lease = this.byId.get(leaseId);
    if (!lease) return undefined;
    this.byId.delete(leaseId);
    const ids = this.byWorker.get(lease.workerId);
    ids?.delete(leaseId);
    if (ids?.size === 0) this.byWorker.delete(lease.workerId);
    this.onChange();
    return lease;
  }

  /** Gives a lease to another worker id (a worker that reconnected under a new session). */
  rebind(leaseId: string, workerId: string): void {
    const lease = this.remove(leaseId);
    if (lease) this.add({ ...lease, workerId });
  }

  ofWorker(workerId: string): Lease[] {
    const ids = this.byWorker.get(workerId);
    return ids ? [...ids].map((id) => this.byId.get(id)!) : [];
  }

  all(): IterableIterator<Lease> {
    return this.byId.values();
  }

  ofJob(jobId: string): Lease[] {
    return [...this.byId.values()].filter((lease) => lease.jobId === jobId);
  }

  /** Leases that lapsed or ran past their deadline. */
  overdue(now: number): Lease[] {
    return [...this.byId.values()].filter((lease) => lease.expiresAt <= now || (lease.deadline !== undefined && lease.deadline <= now));
  }
}
