import { backoffDelay, type Backoff } from '../../shared/index.js';

/** How long to wait between reconnection attempts: the job spec's backoff shape, any part of it. */
export type BackoffOptions = Partial<Backoff>;

/** A tab's reconnects: 250 ms doubling to 10 s (with equal jitter, as every backoff). */
export const RECONNECT_BACKOFF: Backoff = { initialMs: 250, factor: 2, maxMs: 10_000 };

/**
 * Counts failed attempts and answers the next delay, from the project's one `backoffDelay`;
 * `reset()` after a good connection.
 * @example
 * const backoff = new ReconnectBackoff();
 * setTimeout(reconnect, backoff.next()); // 125 to 250 ms, then 250 to 500, ... up to 5 to 10 s
 */
export class ReconnectBackoff {
  readonly #policy: Backoff;
  #failures = 0;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.#policy = { ...RECONNECT_BACKOFF, ...options };
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    this.#failures += 1;
    return backoffDelay(this.#policy, this.#failures, this.random);
  }

  /** Start again from `initialMs`. */
  reset(): void {
    this.#failures = 0;
  }
}

