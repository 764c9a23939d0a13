import type { SavedWorkerState, WorkerStats, WorkerStore } from '../store/store.js';

/**
 * What a worker knows about itself (its id, what it has given) and the store calls that keep it:
 * each store step is fired and its failure told through `warn`, never thrown, since a worker
 * must keep working when its storage does not.
 * @example
 * const ledger = new WorkerLedger(store, saved, (message) => console.warn(message));
 * ledger.setWorkerId(welcome.workerId);
 * ledger.countResult();
 */
export class WorkerLedger {
  #workerId: string | null;
  readonly #stats: WorkerStats;

  constructor(
    readonly store: WorkerStore,
    restore: SavedWorkerState | undefined,
    private readonly warn: (message: string) => void,
  ) {
    this.#workerId = restore?.workerId ?? null;
    this.#stats = { ...(restore?.stats ?? { tasksDone: 0, computeMs: 0 }) };
  }

  get workerId(): string | null {
    return this.#workerId;
  }

  get stats(): Readonly<WorkerStats> {
    return this.#stats;
  }

  /** The id the coordinator welcomed this worker with; kept when it is new. */
  setWorkerId(workerId: string): void {
    if (this.#workerId === workerId) return;
    this.#workerId = workerId;
    this.keep('keep the worker id', (store) => store.saveWorkerId(workerId));
  }

  /** A result the coordinator accepted. */
  countResult(): void {
    this.#stats.tasksDone += 1;
    this.#saveStats();
  }

  /** Time a task spent running task code. */
  addCompute(busyMs: number): void {
    this.#stats.computeMs += busyMs;
    this.#saveStats();
  }

  /** Runs a store step in the background; a failure the store did not handle itself is told, not thrown. */
  keep(what: string, step: (store: WorkerStore) => Promise<void>): void {
    step(this.store).catch((error: unknown) => this.warn(`could not ${what}: ${String(error)}`));
  }

  /** Like {@link keep}, for a caller that must wait for the step (a checkpoint before it is sent). */
  async keepNow(what: string, step: (store: WorkerStore) => Promise<void>): Promise<void> {
    try {
      await step(this.store);
    } catch (error) {
      this.warn(`could not ${what}: ${String(error)}`);
    }
  }

  #saveStats(): void {
    const stats = { ...this.#stats };
    this.keep('keep the stats', (store) => store.saveStats(stats));
  }
}
