import { idleAfter } from '../duty-cycle.js';
import type { TaskTime } from './running-tasks.js';
import type { TimerHandle, Timers } from '../timers.js';

/**
 * The CPU limit between tasks: after each task its slot rests for what the share asks and the
 * task did not already idle between its items, then `rested` is called. Each slot rests on its
 * own: a worker running several tasks at once keeps its other slots working meanwhile.
 * @example
 * const rest = new CpuRest(0.5, systemTimers, () => askForWork());
 * rest.after({ busyMs: 400, idleMs: 100 }); // one slot rests 300 ms
 */
export class CpuRest {
  /** Each resting slot's timer and when it ends, by a number of its own. */
  readonly #rests = new Map<number, { timer: TimerHandle; until: number }>();
  #count = 0;

  constructor(
    public share: number,
    private readonly timers: Timers,
    private readonly rested: () => void,
  ) {}

  /** Slots resting now: no task should be asked for them. */
  get resting(): number {
    return this.#rests.size;
  }

  /** When the last rest ends (ms since the epoch), or null when no slot rests. */
  get until(): number | null {
    return this.#rests.size === 0 ? null : Math.max(...[...this.#rests.values()].map((rest) => rest.until));
  }

  /** Rests one slot after a task that took `time`. */
  after(time: TaskTime): void {
    const owed = idleAfter(time.busyMs, this.share) - time.idleMs;
    if (owed < 1) return;
    const id = (this.#count += 1);
    const timer = this.timers.setTimeout(() => {
      this.#rests.delete(id);
      this.rested();
    }, owed);
    this.#rests.set(id, { timer, until: this.timers.now() + owed });
  }

  stop(): void {
    for (const { timer } of this.#rests.values()) this.timers.clearTimeout(timer);
    this.#rests.clear();
  }
}
