/** How a tab spreads the volunteer's CPU limit over its task Web Workers. */
export interface WorkerPlan {
  /** Task Web Workers, each leasing and running its own task. */
  workers: number;
  /** Share of the time each worker may be busy: together they keep `cores × limit` cores busy. */
  workerShare: number;
}

/**
 * The tab's workers for a CPU limit: as many as the limit's cores round to (at least one, at most
 * `cap`), each resting so that together they use `cores × cpuShare` cores. A worker is never
 * busier than all of its time, so where the count rounds down the tab uses a little less than
 * its limit (3 cores × 75 %: 2 workers, 2 cores), never more.
 * @param cores `navigator.hardwareConcurrency` (0 or missing counts as one)
 * @param cpuShare the volunteer's CPU limit: the share of the whole machine the tab may use
 * @param cap the most workers wanted (the join page's `workers=` parameter)
 * @example workerPlan(2, 0.75) // { workers: 2, workerShare: 0.75 }: 1.5 cores
 * @example workerPlan(2, 0.5) // { workers: 1, workerShare: 1 }
 * @example workerPlan(2, 0.25) // { workers: 1, workerShare: 0.5 }
 * @example workerPlan(8, 1, 1) // { workers: 1, workerShare: 1 }
 */
export function workerPlan(cores: number, cpuShare: number, cap = Number.POSITIVE_INFINITY): WorkerPlan {
  const allowed = Math.max(1, Math.floor(cores) || 1) * cpuShare;
  const workers = Math.max(1, Math.min(Math.floor(cap), Math.round(allowed)));
  return { workers, workerShare: Math.min(1, allowed / workers) };
}

/**
 * The most workers a join URL asks for (`workers=N`, a whole number from 1), else undefined.
 * @example workersCap(new URLSearchParams('workers=1')) // 1
 */
export function workersCap(params: URLSearchParams): number | undefined {
  const cap = Number(params.get('workers') ?? Number.NaN);
  return Number.isInteger(cap) && cap >= 1 ? cap : undefined;
}
