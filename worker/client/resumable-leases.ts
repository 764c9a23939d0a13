import type { TaskLease } from '../../shared/index.js';
import type { SavedLease } from '../store/store.js';

/** What {@link ResumableLeases.settle} does with each lease. */
export interface ResumeHandlers {
  /**
   * A kept lease, with the latest local checkpoint as its `restored`; `saved` is what the store
   * kept (the lease as the coordinator gave it, and that checkpoint).
   */
  resume(lease: TaskLease, saved: SavedLease): void;
  /** A lease the coordinator no longer holds for this worker (it lapsed while the tab was away). */
  drop(lease: TaskLease): void;
}

/**
 * Leases a previous run of this worker held (read from the store after a reload), until the
 * first welcome says which are still its own: those resume from the checkpoint the store kept,
 * which may be newer than the coordinator's (it was written before it was sent) but is not one
 * it refused (that one was taken back); the others are dropped, since their tasks moved on.
 * @example
 * const resumable = new ResumableLeases(saved.leases);
 * hello.leases.push(...resumable.ids());
 * resumable.settle(new Set(welcome.kept), { resume: startTask, drop: forget });
 */
export class ResumableLeases {
  readonly #leases = new Map<string, SavedLease>();

  constructor(saved: readonly SavedLease[] = []) {
    for (const lease of saved) this.#leases.set(lease.lease.leaseId, lease);
  }

  ids(): string[] {
    return [...this.#leases.keys()];
  }

  /** Resumes the kept leases and drops the others; after this there are none left. */
  settle(kept: ReadonlySet<string>, handlers: ResumeHandlers): void {
    const leases = [...this.#leases.values()];
    this.#leases.clear();
    for (const saved of leases) {
      const { lease, checkpoint } = saved;
      if (!kept.has(lease.leaseId)) {
        handlers.drop(lease);
        continue;
      }
      const resumed: TaskLease = { ...lease };
      if (checkpoint !== undefined) resumed.restored = checkpoint;
      handlers.resume(resumed, saved);
    }
  }
}
