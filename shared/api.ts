import { z } from 'zod';
import { JobStateSchema, JobStatus, TaskStateSchema, TaskStatus } from './job.js';
import type { JobState, TaskState } from './states.js';
import { Capabilities } from './protocol.js';

/**
 * What the coordinator knows of a worker identity's results: validated results that agreed with
 * their quorum (`valid`) and that did not (`invalid`), valid ones in a row (`streak`: a long one
 * earns running tasks alone, spot-checked), attempts that threw or timed out (`errors`), and
 * whether it is quarantined (no work until an admin releases it) and why.
 */
export const WorkerReputation = z.object({
  id: z.string(),
  valid: z.number().int(),
  invalid: z.number().int(),
  streak: z.number().int(),
  errors: z.number().int(),
  quarantined: z.boolean(),
  note: z.string().nullable(),
});
export type WorkerReputation = z.infer<typeof WorkerReputation>;

/** `GET /api/v1/workers`: the connected workers, and every quarantined identity (connected or not). */
export const WorkerList = z.object({
  workers: z.array(z.lazy(() => WorkerStatus)),
  quarantined: z.array(WorkerReputation),
});
export type WorkerList = z.infer<typeof WorkerList>;

/** `GET /api/v1/workers`: one per connected worker. */
export const WorkerStatus = z.object({
  id: z.string(),
  connected: z.boolean(),
  capabilities: Capabilities,
  joinedAt: z.string(),
  tasksDone: z.number().int(),
  /** Leases held now: `jobId/taskIndex`. */
  currentTasks: z.array(z.object({ jobId: z.string(), taskIndex: z.number().int(), progress: z.number() })),
  reputation: WorkerReputation.optional(),
});
export type WorkerStatus = z.infer<typeof WorkerStatus>;

/** `GET /api/v1/stats`. */
export const Stats = z.object({
  jobs: z.record(z.string(), z.number().int()),
  tasks: z.record(z.string(), z.number().int()),
  workers: z.number().int(),
  queueDepth: z.number().int(),
  leaseLapses: z.number().int(),
  retries: z.number().int(),
  lateResults: z.number().int(),
  /** Attempts abandoned for running past `retry.timeoutMs`. */
  timeouts: z.number().int(),
  /** Backup copies of stalled tasks handed to a second worker. */
  backups: z.number().int(),
  /** Tasks completed per second over the last 10 s. */
  tasksPerSecond: z.number(),
  uptimeSeconds: z.number(),
});
export type Stats = z.infer<typeof Stats>;

/** `POST /api/v1/jobs` answers with the new job's id and status. */
export const SubmitResponse = z.object({ id: z.string() });

/**
 * What every paged list's query shares: `limit` (`fallback` by default, at most `max`), `cursor`
 * (a page's `nextCursor`) and `state` (one or more of `states`, comma-separated).
 */
function pageQuery<S extends z.ZodType>(max: number, fallback: number, states: S) {
  return {
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    cursor: z.string().regex(/^\d{1,15}$/, 'a cursor is the nextCursor of a page').optional(),
    state: z.preprocess((value) => (typeof value === 'string' ? value.split(',') : value), z.array(states).min(1)).optional(),
  };
}

/** The query string of one page: `limit`, then `cursor` and `state` where given. */
function pageParams(query: { cursor?: string | undefined; state?: readonly string[] | undefined; limit?: number }, max: number): URLSearchParams {
  const params = new URLSearchParams({ limit: String(query.limit ?? max) });
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  if (query.state !== undefined && query.state.length > 0) params.set('state', query.state.join(','));
  return params;
}

/**
 * `GET /api/v1/health`: the coordinator answers, and whether it is the active one of those sharing
 * its store (`standby`: it answers only this and `/readyz` until it takes over).
 */
export const Health = z.object({ ok: z.literal(true), role: z.enum(['active', 'standby']) });
export type Health = z.infer<typeof Health>;

/** `GET /api/v1/jobs`: one page of jobs, oldest first; pass `nextCursor` as `cursor` for the next. */
export const JobPage = z.object({ jobs: z.array(JobStatus), nextCursor: z.string().optional() });
export type JobPage = z.infer<typeof JobPage>;

/** Most jobs on one page of `GET /api/v1/jobs`. */
export const MAX_JOB_PAGE = 1000;

/**
 * The query of `GET /api/v1/jobs`: `limit` (default 100, at most 1000), `cursor` (a page's
 * `nextCursor`), `state` (one or more, comma-separated) and `name` (a part of the name, any case).
 * @example JobQuery.parse({ limit: '50', state: 'RUNNING,PENDING' })
 */
export const JobQuery = z.strictObject({
  ...pageQuery(MAX_JOB_PAGE, 100, JobStateSchema),
  name: z.string().min(1).max(200).optional(),
});
export type JobQuery = z.output<typeof JobQuery>;

/**
 * The path of one page of `GET /api/v1/jobs`.
 * @example jobPagePath({ state: ['RUNNING'], cursor: '42' }) // '/api/v1/jobs?limit=1000&cursor=42&state=RUNNING'
 */
export function jobPagePath(query: { cursor?: string | undefined; state?: readonly JobState[] | undefined; name?: string | undefined; limit?: number }): string {
  const params = pageParams(query, MAX_JOB_PAGE);
  if (query.name !== undefined) params.set('name', query.name);
  return `/api/v1/jobs?${params.toString()}`;
}

/** `GET /api/v1/jobs/:id/tasks`: one page of a job's tasks, by index; pass `nextCursor` as `cursor` for the next. */
export const TaskPage = z.object({ tasks: z.array(TaskStatus), nextCursor: z.string().optional() });
export type TaskPage = z.infer<typeof TaskPage>;

/** Most tasks on one page of `GET /api/v1/jobs/:id/tasks`. */
export const MAX_TASK_PAGE = 10_000;

/**
 * The query of `GET /api/v1/jobs/:id/tasks`: `limit` (default 1000, at most 10,000), `cursor`
 * (a page's `nextCursor`) and `state` (one or more, comma-separated).
 * @example TaskQuery.parse({ state: 'failed' })
 */
export const TaskQuery = z.strictObject(pageQuery(MAX_TASK_PAGE, 1000, TaskStateSchema));
export type TaskQuery = z.output<typeof TaskQuery>;

/**
 * The path of one page of `GET /api/v1/jobs/:id/tasks`.
 * @example taskPagePath('job_1', { state: ['failed'] }) // '/api/v1/jobs/job_1/tasks?limit=10000&state=failed'
 */
export function taskPagePath(jobId: string, query: { cursor?: string | undefined; state?: readonly TaskState[] | undefined; limit?: number }): string {
  return `/api/v1/jobs/${encodeURIComponent(jobId)}/tasks?${pageParams(query, MAX_TASK_PAGE).toString()}`;
}
