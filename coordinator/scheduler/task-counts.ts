import { TASK_STATES, type TaskState } from '../../shared/index.js';
import type { Store } from '../store/index.js';
import type { LiveJob } from './live-job.js';

export type StateCounts = Record<TaskState, number>;

function zero(): StateCounts {
  return Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as StateCounts;
}

/**
 * Every task by state, across all jobs, without reading the tasks: the live jobs' counts are kept
 * in memory as their tasks move; the ended jobs' are read from the store once (at the first ask)
 * and then kept as jobs end. An ended job coming back (a retry), or one created ended with tasks,
 * makes them be read again.
 */
export class TaskCounts {
  private ended: StateCounts | undefined;
  /** Bumped by every change to the ended jobs' counts: a read that a change overtook is thrown away. */
  private generation = 0;

  constructor(private readonly store: Store) {}

  async total(live: ReadonlyMap<string, LiveJob>): Promise<StateCounts> {
    const totals = { ...(this.ended ?? (await this.readEnded(live))) };
    for (const job of live.values()) for (const state of TASK_STATES) totals[state] += job.tasks.count(state);
    return totals;
  }

  /** A job ended: its tasks, as they are now (each done, failed or cancelled), count as ended. */
  jobEnded(job: LiveJob): void {
    this.generation++;
    if (this.ended) for (const state of TASK_STATES) this.ended[state] += job.tasks.count(state);
  }

  /** The ended jobs changed in a way not counted here: they are read again when next asked for. */
  forget(): void {
    this.generation++;
    this.ended = undefined;
  }

  private async readEnded(live: ReadonlyMap<string, LiveJob>): Promise<StateCounts> {
    const generation = this.generation;
    const byJob = await this.store.countTasks();
    const ended = zero();
    for (const [jobId, counts] of byJob) {
      if (live.has(jobId)) continue;
      for (const [state, count] of Object.entries(counts) as [TaskState, number][]) ended[state] += count;
    }
    if (generation === this.generation) this.ended = ended;
    return ended;
  }
}
