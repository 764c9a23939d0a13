/** A timer handle: whatever the runtime's `setTimeout` returns (a number in browsers, an object in Node). */
export type TimerHandle = unknown;

/** The clock and timers a component runs on; tests and other runtimes may pass their own. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Milliseconds since the epoch. */
  now(): number;
}

type NativeHandle = Parameters<typeof clearTimeout>[0];

/** The runtime's own timers (looked up at each call, so fake timers in tests apply). */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NativeHandle),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NativeHandle),
  now: () => Date.now(),
};

/**
 * Passes on at most one value per `intervalMs`; a value pushed too soon is held and the latest
 * held one is passed on when the interval is up, so the last value always arrives.
 * @example
 * const progress = new Throttle(250, (fraction: number) => send({ type: 'progress', leaseId, fraction }));
 * progress.push(0.1); // sent now
 * progress.push(0.2); // held; replaced by 0.3
 * progress.push(0.3); // sent 250 ms after 0.1
 */
export class Throttle<T> {
  #lastAt = Number.NEGATIVE_INFINITY;
  #held: { value: T } | undefined;
  #timer: TimerHandle = undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly deliver: (value: T) => void,
    private readonly timers: Timers = systemTimers,
  ) {}

  /** Passes `value` on now, or later if one was passed on less than `intervalMs` ago. */
  push(value: T): void {
    const wait = this.#lastAt + this.intervalMs - this.timers.now();
    if (wait <= 0 && this.#timer === undefined) {
      this.#pass(value);
      return;
    }
    this.#held = { value };
    this.#timer ??= this.timers.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, Math.max(wait, 0));
  }

  /** Passes on the held value, if any, now. */
  flush(): void {
    this.#cancelTimer();
    const held = this.#held;
    this.#held = undefined;
    if (held) this.#pass(held.value);
  }

  /** Drops the held value, if any. */
  cancel(): void {
    this.#cancelTimer();
    this.#held = undefined;
  }

  #pass(value: T): void {
    this.#lastAt = this.timers.now();
    this.deliver(value);
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return;
    this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * What `work` settles to, or, when it takes longer than `ms`, what `late()` returns (or throws).
 * A rejection that is not an `Error` is wrapped in one.
 * @example const adapter = await within(navigator.gpu.requestAdapter(), 5000, () => null);
 * @example await within(open(), 20_000, () => { throw new Error('no answer within 20000 ms'); });
 */
export function within<T, L>(work: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
