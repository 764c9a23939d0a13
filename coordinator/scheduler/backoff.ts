import type { Backoff } from '../../shared/index.js';

/**
 * Wait before attempt `failures + 1`: `initialMs · factor^(failures-1)`, capped at `maxMs`, then
 * "equal jitter" (half fixed, half random) so a burst of failures does not retry in lockstep.
 */
export function backoffDelay(policy: Backoff, failures: number, random: () => number = Math.random): number {
  const exponential = policy.initialMs * policy.factor ** Math.max(0, failures - 1);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped / 2 + random() * (capped / 2));
}
