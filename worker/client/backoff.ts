/** How long to wait between reconnection attempts. */
export interface BackoffOptions {
  /**
   * Delay before the first retry, in milliseconds.
   * @default 250
   */
  initialMs?: number;
  /**
   * Longest delay, in milliseconds.
   * @default 10_000
   */
  maxMs?: number;
  /**
   * Share of each delay that is random: 0.5 waits between 50 % and 100 % of the nominal delay.
   * Spreads out many tabs reconnecting to a restarted coordinator at once.
   * @default 0.5
   */
  jitter?: number;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 250, maxMs: 10_000, jitter: 0.5 };

/**
 * Delay before retry number `attempt` (0 for the first): `initialMs` doubling up to `maxMs`,
 * less a random share of up to `jitter`. Pure: pass `random` to make it repeatable.
 * @example backoffDelay(0, {}, () => 1) // 250
 * @example backoffDelay(10, {}, () => 1) // 10_000
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const exponent = Number.isNaN(attempt) ? 0 : Math.min(Math.max(0, Math.floor(attempt)), 30);
  const nominal = Math.min(maxMs, initialMs * 2 ** exponent);
  const share = Math.min(Math.max(jitter, 0), 1);
  return Math.round(nominal * (1 - share * random()));
}

/**
 * Counts failed attempts and answers the next delay; `reset()` after a good connection.
 * @example
 * const backoff = new Backoff();
 * setTimeout(reconnect, backoff.next()); // about 250 ms, then 500, 1000, ... up to 10 s
 */
export class Backoff {
  #attempt = 0;

  constructor(
    private readonly options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const delay = backoffDelay(this.#attempt, this.options, this.random);
    this.#attempt += 1;
    return delay;
  }

  /** Start again from `initialMs`. */
  reset(): void {
    this.#attempt = 0;
  }
}
