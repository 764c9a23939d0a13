import type { Backoff } from './spec.js';

/**
 * How long to wait before try number `retry + 1`, after `retry` failed ones (1 for the first
 * failure): `initialMs · factor^(retry-1)`, capped at `maxMs`, with "equal jitter" — half of it
 * fixed, half drawn from `random` — so that many tasks, tabs or clients failing together do not
 * retry in lockstep. The one backoff of the project: the scheduler's and the local runner's wait
 * between attempts, a tab's reconnects, the SDK's retries while the coordinator is away.
 * A `random` of 0 waits half the capped delay, 1 all of it. A `retry` below 1 (or NaN) counts as 1.
 * @example backoffDelay({ initialMs: 1000, factor: 2, maxMs: 60_000 }, 3, () => 1) // 4000
 * @example backoffDelay({ initialMs: 1000, factor: 2, maxMs: 60_000 }, 3, () => 0) // 2000
 */
export function backoffDelay(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const exponent = retry >= 1 ? Math.floor(retry) - 1 : 0;
  // 0 · factor^n is NaN once factor^n overflows to Infinity: a zero wait stays zero.
  const capped = backoff.initialMs === 0 ? 0 : Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** exponent);
  const draw = Math.min(1, Math.max(0, random()));
  return Math.round(capped / 2 + draw * (capped / 2));
}
