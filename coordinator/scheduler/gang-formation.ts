import type { Gang } from '../../shared/index.js';
import type { GangAttempt } from './gangs.js';
import type { Asker } from './state.js';

/** How many ranks a gang task runs on: `size` exactly, or between `min` and `max` (elastic). */
export interface GangBounds {
  min: number;
  max: number;
}

export function gangBounds(gang: Gang): GangBounds {
  if (gang.size !== undefined) return { min: gang.size, max: gang.size };
  return { min: gang.min!, max: gang.max! };
}

const onNode = (asker: Asker): boolean => asker.capabilities.runtime === 'node';

/**
 * The largest group of these workers (all matching the job) that can run one gang task
 * together, as the worker id of each rank, at most `max`; undefined when none reaches `min`.
 * Tabs take one rank each and talk over WebRTC. A node worker has no WebRTC, so it never shares
 * a gang, but it may take every rank itself, one per parked ask. On a tie the tabs go first.
 */
export function largestGroup(bounds: GangBounds, askers: Asker[]): string[] | undefined {
  let group = askers.filter((asker) => !onNode(asker)).slice(0, bounds.max).map((asker) => asker.id);
  for (const asker of askers) {
    const ranks = Math.min(bounds.max, asker.asks ?? 1);
    if (onNode(asker) && ranks > group.length) group = Array.from({ length: ranks }, () => asker.id);
  }
  return group.length >= bounds.min ? group : undefined;
}

/**
 * How many ranks these parked workers (all matching the job) could add to a running attempt,
 * up to `max`: tabs that are not members yet join a gang of tabs; a gang on a node worker grows
 * only by that worker's own parked asks.
 */
export function growthFrom(bounds: GangBounds, attempt: GangAttempt, askers: Asker[]): number {
  const members = attempt.workerIds;
  const self = attempt.onNode ? askers.find((asker) => asker.id === members[0]) : undefined;
  const joining = attempt.onNode
    ? (self ? (self.asks ?? 1) : 0)
    : askers.filter((asker) => !onNode(asker) && !members.includes(asker.id)).length;
  return Math.max(0, Math.min(bounds.max - members.length, joining));
}

/**
 * Why a gang job's ready tasks have not started, for a job's `waitingReason`: how many workers
 * they wait for, given how many connected workers match the job.
 * @example gangWaitingReason({ min: 2, max: 4, ... }, 1) // 'a gang task waits for 2 to 4 workers together (1 connected can run it): browser tabs, or one node worker with --concurrency 2'
 */
export function gangWaitingReason(gang: Gang, matching: number): string {
  const { min, max } = gangBounds(gang);
  const count = min === max ? `${min}` : `${min} to ${max}`;
  return `a gang task waits for ${count} workers together (${matching} connected can run it): browser tabs, or one node worker with --concurrency ${min}`;
}
