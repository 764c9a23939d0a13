import type { JobPage, JobQuery, JobStatus, TaskState } from '../../shared/index.js';
import { gangWaitingReason, mismatch, type LiveJob } from '../scheduler/index.js';
import { summarizeSpec, type JobSummary } from '../store/index.js';
import type { ApiDeps } from './deps.js';
import { notFound } from './errors.js';
import { jobStatus, storedProgress } from './views.js';

/**
 * A job's status: from memory while it is live (counts kept as tasks move), from its row once it
 * has ended (counts kept with it). Neither reads the spec or walks the tasks.
 */
export async function loadJobStatus(deps: ApiDeps, id: string): Promise<JobStatus> {
  const live = deps.scheduler.liveJob(id);
  if (live) return liveStatus(deps, live);
  const summary = await deps.store.getJobSummary(id);
  if (!summary) throw notFound(`job ${id}`);
  const counts = summary.finalCounts ? undefined : await deps.store.countTasks([id]);
  return endedStatus(deps, summary, counts?.get(id));
}

/** One page of jobs, as `GET /api/v1/jobs?limit&cursor&state&name&order` asks. */
export async function listJobPage(deps: ApiDeps, query: JobQuery): Promise<JobPage> {
  const found = await deps.store.listJobSummaries({
    limit: query.limit + 1,
    order: query.order,
    ...(query.cursor === undefined ? {} : cursorPlace(query.cursor)),
    ...(query.state === undefined ? {} : { states: query.state }),
    ...(query.name === undefined ? {} : { nameContains: query.name }),
  });
  const page = found.slice(0, query.limit);
  const jobs = await statusesOf(deps, page);
  const last = page.at(-1);
  if (found.length <= query.limit || !last) return { jobs };
  return { jobs, nextCursor: query.order === 'priority' ? `${last.priority}:${last.seq}` : String(last.seq) };
}

/** A page's cursor as a place in the order: `seq`, or `priority:seq`. */
function cursorPlace(cursor: string): { afterSeq: number; afterPriority?: number } {
  const [first, second] = cursor.split(':');
  return second === undefined ? { afterSeq: Number(first) } : { afterSeq: Number(second), afterPriority: Number(first) };
}

async function statusesOf(deps: ApiDeps, summaries: JobSummary[]): Promise<JobStatus[]> {
  // A job that ended before its counts were kept with it (none since migration 4) is counted.
  const uncounted = summaries.filter((summary) => !summary.finalCounts && !deps.scheduler.liveJob(summary.id));
  const counts = uncounted.length === 0 ? new Map<string, Partial<Record<TaskState, number>>>() : await deps.store.countTasks(uncounted.map((summary) => summary.id));
  return summaries.map((summary) => {
    const live = deps.scheduler.liveJob(summary.id);
    return live ? liveStatus(deps, live) : endedStatus(deps, summary, counts.get(summary.id));
  });
}

function endedStatus(deps: ApiDeps, summary: JobSummary, counts: Partial<Record<TaskState, number>> = {}): JobStatus {
  const progress = storedProgress(summary, summary.finalCounts ?? counts);
  return jobStatus(summary, progress, undefined, deps.scheduler.validationStats(summary.id));
}

function liveStatus(deps: ApiDeps, job: LiveJob): JobStatus {
  const { spec, codeSha: _codeSha, ...record } = job.record;
  return jobStatus({ ...record, ...summarizeSpec(spec) }, job.progress(), waitingReason(deps, job), deps.scheduler.validationStats(job.id));
}

/** Why a live job is not getting leases, in words a user can act on. */
function waitingReason(deps: ApiDeps, job: LiveJob): string | undefined {
  const { state, spec } = job.record;
  if (state === 'PAUSED') return `paused: tabgrid resume ${job.id} to go on`;
  if (state !== 'PENDING') return undefined;
  if (job.blockedBy.size > 0) return `waiting for job ${[...job.blockedBy].join(', ')} to complete`;
  const workers = deps.gateway.workers();
  if (workers.length === 0) return 'no workers connected: open the join URL in a browser tab';
  const debug = spec.runMode === 'debug';
  const reasons = workers.map((worker) => mismatch(worker.capabilities, spec.requires, debug));
  if (reasons.every((reason) => reason !== undefined)) return `no connected worker can run it: ${reasons[0]}`;
  if (spec.gang) return gangWaitingReason(spec.gang, reasons.filter((reason) => reason === undefined).length);
  return undefined;
}
