import { systemTimers, type Timers } from './timers.js';

/** The least CPU share honoured: below it a worker would hold its leases for ever. */
export const MIN_CPU_SHARE = 0.05;

/**
 * How long to idle after `busyMs` of work so that work takes `share` of the time.
 * @example idleAfter(300, 0.25) // 900: 300 ms busy, 900 ms idle is 25 %
 * @example idleAfter(300, 1) // 0
 */
export function idleAfter(busyMs: number, share: number): number {
  const clamped = Math.min(1, Math.max(MIN_CPU_SHARE, Number.isFinite(share) ? share : 1));
  return Math.max(0, busyMs) * ((1 - clamped) / clamped);
}

/**
 * Keeps a worker busy for at most `share` of the time: `pace()`, called between units of work,
 * idles in proportion to the time worked since the last call.
 * @example
 * const cycle = new DutyCycle(0.5);
 * for (const item of items) { work(item); await cycle.pace(); } // as long idle as busy
 */
export class DutyCycle {
  #busySince: number;

  constructor(
    private readonly share: number,
    private readonly timers: Timers = systemTimers,
  ) {
    this.#busySince = timers.now();
  }

  /** Idles as long as the share asks for the work since the last pace; resolves the idle milliseconds. */
  async pace(): Promise<number> {
    const idle = Math.round(idleAfter(this.timers.now() - this.#busySince, this.share));
    if (idle > 0) await new Promise<void>((resolve) => this.timers.setTimeout(resolve, idle));
    this.#busySince = this.timers.now();
    return idle;
  }
}
