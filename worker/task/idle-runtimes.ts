/**
 * The idle task runtimes of an executor (a tab's Web Workers, a Node worker's threads), each kept
 * for the one job it served: a runtime that ran a job's code never runs another job's task, so
 * task code that lingers in it (a listener, a patched global) sees only its own job's messages.
 * A fresh runtime (none served yet) goes to whichever job comes first.
 * @example
 * const idle = new IdleRuntimes<Worker>(2, (worker) => worker.terminate());
 * const worker = idle.take(lease.jobId) ?? startWorker();
 * // ... the task ends:
 * idle.put(worker, lease.jobId);
 */
export class IdleRuntimes<Runtime> {
  readonly #idle: { runtime: Runtime; jobId: string | undefined }[] = [];

  /**
   * @param keep how many idle runtimes are kept at most (asked each time): past it the oldest go
   * @param dispose ends a runtime that is not kept
   */
  constructor(
    private readonly keep: () => number,
    private readonly dispose: (runtime: Runtime) => void,
  ) {}

  get size(): number {
    return this.#idle.length;
  }

  /** An idle runtime of this job, else a fresh one, else undefined (start one). */
  take(jobId: string): Runtime | undefined {
    let at = this.#idle.findIndex((idle) => idle.jobId === jobId);
    if (at === -1) at = this.#idle.findIndex((idle) => idle.jobId === undefined);
    return at === -1 ? undefined : this.#idle.splice(at, 1)[0]!.runtime;
  }

  /** Keeps a runtime that served `jobId` (undefined: none yet); the oldest idle ones past `keep` are disposed. */
  put(runtime: Runtime, jobId: string | undefined): void {
    this.#idle.push({ runtime, jobId });
    const keep = Math.max(1, this.keep());
    while (this.#idle.length > keep) this.dispose(this.#idle.shift()!.runtime);
  }

  /** Forgets a runtime (it died); answers whether it was idle here. */
  remove(runtime: Runtime): boolean {
    const at = this.#idle.findIndex((idle) => idle.runtime === runtime);
    if (at === -1) return false;
    this.#idle.splice(at, 1);
    return true;
  }

  /** Removes and answers every idle runtime. */
  drain(): Runtime[] {
    return this.#idle.splice(0).map((idle) => idle.runtime);
  }
}
