import { createRequire } from 'node:module';
import type sortedBTree from 'sorted-btree';
import type { LiveJob } from './live-job.js';

// A CommonJS module whose class is its `default` export, loaded as one: Node's and vitest's ESM
// interop disagree on what a default import of it is.
const BTree = (createRequire(import.meta.url)('sorted-btree') as typeof sortedBTree).default;

/** Lease order: higher priority first, then the job whose turn it is (equal priorities take turns), then the older job. */
function leaseOrder(a: LiveJob, b: LiveJob): number {
  return b.record.priority - a.record.priority || a.turn - b.turn || a.record.seq - b.record.seq;
}

/**
 * The live jobs that may have a task to lease, in lease order, so that an ask looks at the
 * jobs in front and never at every live job. A job joins when it may have work (`offer`: a task
 * was queued, it was resumed or unblocked) and leaves when a look finds it has none
 * (`drop`), so jobs that are paused, blocked or all leased cost an ask nothing. A job's
 * priority and turn are its place here: they change only through `takeTurn` and `reorder`.
 */
export class JobQueue {
  private readonly jobs = new BTree<LiveJob, true>(undefined, leaseOrder);

  offer(job: LiveJob): void {
    this.jobs.setIfNotPresent(job, true);
  }

  drop(job: LiveJob): void {
    this.jobs.delete(job);
  }

  /** The job got a lease: it goes behind the others of its priority. */
  takeTurn(job: LiveJob, turn: number): void {
    const queued = this.jobs.delete(job);
    job.turn = turn;
    if (queued) this.jobs.set(job, true);
  }

  /** The job's priority changes (`change` sets it): it takes its new place, if it was queued. */
  reorder(job: LiveJob, change: () => void): void {
    const queued = this.jobs.delete(job);
    change();
    if (queued) this.jobs.set(job, true);
  }

  /**
   * The first job, in lease order, that `wants` answers true for. `wants` answers `'drop'` for
   * a job with no work for anyone, which leaves the queue, and false for one with nothing for
   * this asker, which stays.
   */
  find(wants: (job: LiveJob) => boolean | 'drop'): LiveJob | undefined {
    const dropped: LiveJob[] = [];
    let found: LiveJob | undefined;
    for (const job of this.jobs.keys()) {
      const answer = wants(job);
      if (answer === 'drop') dropped.push(job);
      else if (answer) {
        found = job;
        break;
      }
    }
    for (const job of dropped) this.jobs.delete(job);
    return found;
  }
}
