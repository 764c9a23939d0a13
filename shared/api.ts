import { z } from 'zod';
import { ProblemDetails } from './errors.js';
import { JobEvent, JobStateSchema, JobStatus, LogLevel, TaskStateSchema, TaskStatus } from './job.js';
import { Sha256 } from './sha256.js';
import type { JobState, TaskState } from './states.js';
import { Capabilities } from './protocol.js';
import { Priority } from './spec.js';

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
}).meta({ id: 'WorkerReputation' });
export type WorkerReputation = z.infer<typeof WorkerReputation>;

/** `GET /api/v1/workers`: the connected workers, and every quarantined identity (connected or not). */
export const WorkerList = z.object({
  workers: z.array(z.lazy(() => WorkerStatus)),
  quarantined: z.array(WorkerReputation),
}).meta({ id: 'WorkerList' });
export type WorkerList = z.infer<typeof WorkerList>;

/** `GET /api/v1/workers`: one per connected worker. */
export const WorkerStatus = z.object({
  id: z.string(),
  connected: z.boolean(),
  capabilities: Capabilities,
  joinedAt: z.string(),
  /** Tasks it runs at once (what it declared at hello, within the coordinator's bound); absent from older coordinators. */
  concurrency: z.number().int().optional(),
  tasksDone: z.number().int(),
  /** Leases held now: `jobId/taskIndex`. */
  currentTasks: z.array(z.object({ jobId: z.string(), taskIndex: z.number().int(), progress: z.number() })),
  reputation: WorkerReputation.optional(),
}).meta({ id: 'WorkerStatus' });
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
}).meta({ id: 'Stats' });
export type Stats = z.infer<typeof Stats>;

/**
 * `POST /api/v1/jobs/:id/priority`: the job's new priority (-1000..1000, as in a spec); the next
 * asks see the new order.
 * @example PriorityBody.parse({ priority: 10 })
 */
export const PriorityBody = z.strictObject({ priority: Priority });
export type PriorityBody = z.infer<typeof PriorityBody>;

/**
 * `POST /api/v1/jobs/:id/run-mode`: switches a live job to or from debug mode (one task at a
 * time, to workers that joined with debug on). The other run modes are fixed at submit.
 * @example RunModeBody.parse({ runMode: 'debug' })
 */
export const RunModeBody = z.strictObject({ runMode: z.enum(['immediate', 'debug']) });
export type RunModeBody = z.infer<typeof RunModeBody>;

/**
 * One sample of the coordinator's throughput, taken every 10 s: tasks completed per second (over
 * the last 10 s), connected workers, ready tasks queued, and tasks leased now.
 */
export const StatsSample = z.object({
  time: z.string(),
  tasksPerSecond: z.number(),
  workers: z.number().int(),
  queueDepth: z.number().int(),
  running: z.number().int(),
}).meta({ id: 'StatsSample' });
export type StatsSample = z.infer<typeof StatsSample>;

/**
 * `GET /api/v1/stats/history`: the samples of the last hour (at most 360), oldest first. Kept in the
 * coordinator's memory only: a restart (or a standby taking over) starts it again.
 */
export const StatsHistory = z.object({ samples: z.array(StatsSample) }).meta({ id: 'StatsHistory' });
export type StatsHistory = z.infer<typeof StatsHistory>;

/**
 * `GET /api/v1/feed` (Server-Sent Events), event `stats`, every 2 s: the stats, and the newest
 * history sample (null before the first).
 */
export const FeedStats = Stats.extend({ sample: StatsSample.nullable() }).meta({ id: 'FeedStats' });
export type FeedStats = z.infer<typeof FeedStats>;

/** `GET /api/v1/feed`, event `job`: a job's status after it changed state or progress (at most one a second per job). */
export const FeedJob = JobStatus;
export type FeedJob = z.infer<typeof FeedJob>;

/** `GET /api/v1/feed`, event `workers`: a worker came or went, or the tasks workers hold changed (at most one a second); read `/workers` for who. */
export const FeedWorkers = z.object({ count: z.number().int() }).meta({ id: 'FeedWorkers' });
export type FeedWorkers = z.infer<typeof FeedWorkers>;

/**
 * `GET /api/v1/feed?job=<id>`: only that job's `job` events (no stats, no workers), for a client
 * following one job (`Job.followStatus`, the CLI's `--wait` and `--watch`).
 */
export const FeedQuery = z.strictObject({ job: z.string().min(1).max(100).optional() });
export type FeedQuery = z.output<typeof FeedQuery>;

/**
 * The events of `GET /api/v1/feed` by name, each with the schema of its `data` (JSON).
 * @example const stats = FEED_EVENTS.stats.parse(JSON.parse(message.data));
 */
export const FEED_EVENTS = { stats: FeedStats, job: FeedJob, workers: FeedWorkers } as const;

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
export const Health = z.object({ ok: z.literal(true), role: z.enum(['active', 'standby']) }).meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

/** `GET /readyz`: 200 `ready` on the active coordinator, 503 not ready on a standby (load balancers send it nothing). */
export const Readiness = z.object({ ready: z.boolean(), role: z.enum(['active', 'standby']) }).meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof Readiness>;

/**
 * `POST /api/v1/jobs` (and `/resubmit`) refused by policy, 413 `too_large` (a spec over
 * `maxSpecBytes`) or 429 `over_capacity` (`maxQueuedJobs` waiting): the job was recorded as
 * REJECTED, and `job` is its status.
 */
export const RejectedJobProblem = ProblemDetails.extend({ job: JobStatus }).meta({ id: 'RejectedJobProblem' });
export type RejectedJobProblem = z.infer<typeof RejectedJobProblem>;

/** `GET /api/v1/jobs/:id/events`: the job's state changes, oldest first. */
export const JobEventList = z.object({ events: z.array(JobEvent) });
export type JobEventList = z.infer<typeof JobEventList>;

/** `GET /api/v1/jobs/:id/result`: the output of a COMPLETED job's reduce step. */
export const ReduceResult = z.object({ result: z.unknown() });
export type ReduceResult = z.infer<typeof ReduceResult>;

/** `PUT /api/v1/blobs/:sha256`: the blob stored, under its name. */
export const StoredBlob = z.object({ sha256: Sha256, size: z.number().int() });
export type StoredBlob = z.infer<typeof StoredBlob>;

/** `GET /api/v1/join-url`: the URL volunteers open to join, join token included. */
export const JoinUrl = z.object({ url: z.string() });
export type JoinUrl = z.infer<typeof JoinUrl>;

/**
 * `POST /api/v1/workers/:id/quarantine` (and `/release`): why, as the worker's note; the body may
 * be left out.
 * @example QuarantineBody.parse({ reason: 'its results disagreed twice' })
 */
export const QuarantineBody = z.strictObject({ reason: z.string().max(1000).optional() });
export type QuarantineBody = z.infer<typeof QuarantineBody>;

/** `POST` and `GET /api/v1/session`: when the admin panel's session ends. */
export const AdminSession = z.object({ expiresAt: z.string() });
export type AdminSession = z.infer<typeof AdminSession>;

/** `GET /api/v1/jobs`: one page of jobs, oldest first; pass `nextCursor` as `cursor` for the next. */
export const JobPage = z.object({ jobs: z.array(JobStatus), nextCursor: z.string().optional() }).meta({ id: 'JobPage' });
export type JobPage = z.infer<typeof JobPage>;

/** Most jobs on one page of `GET /api/v1/jobs`. */
export const MAX_JOB_PAGE = 1000;

/**
 * The orders `GET /api/v1/jobs?order=` lists jobs in: by submission (`oldest` first, the default,
 * or `newest` first), or by `priority` (highest first, then oldest first).
 */
export const JOB_ORDERS = ['oldest', 'newest', 'priority'] as const;
export type JobOrder = (typeof JOB_ORDERS)[number];

/**
 * The query of `GET /api/v1/jobs`: `limit` (default 100, at most 1000), `cursor` (a page's
 * `nextCursor`), `state` (one or more, comma-separated), `name` (a part of the name, any case) and
 * `order` (see `JOB_ORDERS`).
 * @example JobQuery.parse({ limit: '50', state: 'RUNNING,PENDING' })
 */
export const JobQuery = z.strictObject({
  ...pageQuery(MAX_JOB_PAGE, 100, JobStateSchema),
  name: z.string().min(1).max(200).optional(),
  order: z.enum(JOB_ORDERS).default('oldest'),
  // Under `priority` a cursor is `<priority>:<seq>`, the place of the page's last job.
  cursor: z.string().regex(/^(-?\d{1,4}:)?\d{1,15}$/, 'a cursor is the nextCursor of a page').optional(),
});
export type JobQuery = z.output<typeof JobQuery>;

/**
 * The path of one page of `GET /api/v1/jobs`.
 * @example jobPagePath({ state: ['RUNNING'], cursor: '42' }) // '/api/v1/jobs?limit=1000&cursor=42&state=RUNNING'
 */
export function jobPagePath(query: {
  cursor?: string | undefined;
  state?: readonly JobState[] | undefined;
  name?: string | undefined;
  limit?: number;
  order?: JobOrder | undefined;
}): string {
  const params = pageParams(query, MAX_JOB_PAGE);
  if (query.name !== undefined) params.set('name', query.name);
  if (query.order !== undefined && query.order !== 'oldest') params.set('order', query.order);
  return `/api/v1/jobs?${params.toString()}`;
}

/** `GET /api/v1/jobs/:id/tasks`: one page of a job's tasks, by index; pass `nextCursor` as `cursor` for the next. */
export const TaskPage = z.object({ tasks: z.array(TaskStatus), nextCursor: z.string().optional() }).meta({ id: 'TaskPage' });
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

/** Most log lines `GET /api/v1/jobs/:id/logs?limit=` answers. */
export const MAX_LOG_LIMIT = 10_000;

/**
 * The query of `GET /api/v1/jobs/:id/logs` (and `?follow=1`): only the lines of task `task`, of
 * `level` or above, holding `text` (any case), and of those the newest `limit` (all without it).
 * @example LogQuery.parse({ task: '3', level: 'warn', text: 'nan', limit: '100' })
 */
export const LogQuery = z.strictObject({
  task: z.string().regex(/^\d{1,9}$/, 'a task is its index').transform(Number).optional(),
  level: LogLevel.optional(),
  text: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LOG_LIMIT).optional(),
  follow: z.string().optional(),
});
export type LogQuery = z.output<typeof LogQuery>;

/** Most cells of a task map. */
export const MAX_TASK_MAP_CELLS = 5000;

/**
 * The query of `GET /api/v1/jobs/:id/task-map`: `cells`, 1 to 5000 (default 2000).
 * @example TaskMapQuery.parse({ cells: '500' }) // { cells: 500 }
 */
export const TaskMapQuery = z.strictObject({ cells: z.coerce.number().int().min(1).max(MAX_TASK_MAP_CELLS).default(2000) });
export type TaskMapQuery = z.output<typeof TaskMapQuery>;

/**
 * The path of one page of `GET /api/v1/jobs/:id/tasks`.
 * @example taskPagePath('job_1', { state: ['failed'] }) // '/api/v1/jobs/job_1/tasks?limit=10000&state=failed'
 */
export function taskPagePath(jobId: string, query: { cursor?: string | undefined; state?: readonly TaskState[] | undefined; limit?: number }): string {
  return `/api/v1/jobs/${encodeURIComponent(jobId)}/tasks?${pageParams(query, MAX_TASK_PAGE).toString()}`;
}

/** Most tasks whose dependency graph `GET /api/v1/jobs/:id/graph` draws. */
export const MAX_GRAPH_TASKS = 500;

/**
 * `GET /api/v1/jobs/:id/graph`: a job's tasks and the edges between them (`[from, to]`: `to`
 * waits for `from`), for a job of at most {@link MAX_GRAPH_TASKS} tasks; `tooLarge` (and no
 * edges) for a bigger one.
 */
export const TaskGraph = z.object({
  tasks: z.number().int(),
  edges: z.array(z.tuple([z.number().int(), z.number().int()])),
  tooLarge: z.boolean(),
}).meta({ id: 'TaskGraph' });
export type TaskGraph = z.infer<typeof TaskGraph>;
