import { idleAfter } from '../duty-cycle.js';
import type { TaskTime } from './running-tasks.js';
import type { TimerHandle, Timers } from '../timers.js';

/**
 * The CPU limit between tasks: after each task the worker rests for what its share asks and the
 * task did not already idle between its items, then `rested` is called.
 * @example
 * const rest = new CpuRest(0.5, systemTimers, () => askForWork());
 * rest.after({ busyMs: 400, idleMs: 100 }); // rests 300 ms
 */
export class CpuRest {
  #until = 0;
  #timer: TimerHandle = undefined;

  constructor(
    public share: number,
    private readonly timers: Timers,
    private readonly rested: () => void,
  ) {}

  /** True while resting: no task should be asked for. */
  get resting(): boolean {
    return this.#timer !== undefined;
  }

  /** When the rest ends (ms since the epoch), or null when not resting. */
  get until(): number | null {
    return this.resting ? this.#until : null;
  }

  /** Rests after a task that took `time`. */
  after(time: TaskTime): void {
    const owed = idleAfter(time.busyMs, this.share) - time.idleMs;
    if (owed < 1) return;
    this.#until = Math.max(this.#until, this.timers.now() + owed);
    this.timers.clearTimeout(this.#timer);
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = undefined;
      this.rested();
    }, this.#until - this.timers.now());
  }

  stop(): void {
    this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
