import { z } from 'zod';
import { JOB_STATES, TASK_STATES, type TaskState } from './states.js';

export const JobStateSchema = z.enum(JOB_STATES);
export const TaskStateSchema = z.enum(TASK_STATES);

/** Why a job failed: the message a task threw, and which task. */
export const JobError = z.object({
  message: z.string(),
  taskIndex: z.number().int().optional(),
  stack: z.string().optional(),
});
export type JobError = z.infer<typeof JobError>;

/**
 * Where a job's reduce step is: `waiting` for the map tasks, `running`, `done`, `failed`, or
 * `cancelled` with its job.
 */
export const ReducePhase = z.enum(['waiting', 'running', 'done', 'failed', 'cancelled']);
export type ReducePhase = z.infer<typeof ReducePhase>;

const REDUCE_PHASE_OF: Readonly<Record<TaskState, ReducePhase>> = {
  blocked: 'waiting',
  ready: 'waiting',
  leased: 'running',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

/**
 * A job's map tasks by how far they got. The reduce step of a job that has one is no map task:
 * it is counted in none of the numbers, and `reduce` says where it is.
 * @example { total: 10, done: 10, failed: 0, running: 0, reduce: 'running' }
 */
export const JobProgress = z.object({
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  running: z.number().int(),
  /** Where the reduce step is; absent for a job without one. */
  reduce: ReducePhase.optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

/**
 * A job's progress from the count of its tasks and their counts by state, the reduce step's among
 * them; `reduce` is the reduce step's state, for a job that has one. The one place the reduce step
 * is taken out of the counts: the coordinator and the local runner both count with it.
 * @example jobProgress(11, { done: 10, leased: 1 }, 'leased') // { total: 10, done: 10, failed: 0, running: 0, reduce: 'running' }
 */
export function jobProgress(tasks: number, counts: Partial<Record<TaskState, number>>, reduce?: TaskState): JobProgress {
  const mapCount = (state: TaskState): number => (counts[state] ?? 0) - (reduce === state ? 1 : 0);
  const progress: JobProgress = {
    total: reduce === undefined ? tasks : tasks - 1,
    done: mapCount('done'),
    failed: mapCount('failed'),
    running: mapCount('leased'),
  };
  if (reduce !== undefined) progress.reduce = REDUCE_PHASE_OF[reduce];
  return progress;
}

/**
 * How many tasks a job has, its reduce step included (the last index is this less one).
 * @example taskCountOf({ total: 10, done: 0, failed: 0, running: 0, reduce: 'waiting' }) // 11
 */
export function taskCountOf(progress: JobProgress): number {
  return progress.reduce === undefined ? progress.total : progress.total + 1;
}

/**
 * A job's spec in brief, as its status shows it: how it is cut into tasks and tried, what it
 * needs, what it waits for; never its items or code. Kept with the job when it is created.
 * @example { partitioner: 'items', chunkSize: 10, retry: { maxAttempts: 3, maxLapses: 10, distinctWorkers: 2, backoff: { initialMs: 1000, factor: 2, maxMs: 60000 } } }
 */
export const JobSpecSummary = z.object({
  /** `items`, `range` or `blob`. */
  partitioner: z.string(),
  /** Items (or indices) per task, where the spec gave it. */
  chunkSize: z.number().int().optional(),
  retry: z
    .object({
      maxAttempts: z.number().int(),
      maxLapses: z.number().int(),
      distinctWorkers: z.number().int(),
      backoff: z.object({ initialMs: z.number(), factor: z.number(), maxMs: z.number() }),
    })
    .optional(),
  /** An attempt running longer than this counts as a failure (`retry.timeoutMs`). */
  timeoutMs: z.number().int().optional(),
  gang: z
    .object({
      size: z.number().int().optional(),
      min: z.number().int().optional(),
      max: z.number().int().optional(),
      resultRank: z.number().int(),
      timeoutMs: z.number().int(),
      rendezvousMs: z.number().int(),
    })
    .optional(),
  requires: z
    .object({
      webgpu: z.boolean().optional(),
      runtime: z.string().optional(),
      minCores: z.number().int().optional(),
      minMemoryGb: z.number().optional(),
    })
    .optional(),
  /** Jobs that must complete before this one runs. */
  dependsOn: z.array(z.string()).optional(),
});
export type JobSpecSummary = z.infer<typeof JobSpecSummary>;

/** `GET /api/v1/jobs/:id`. */
export const JobStatus = z.object({
  id: z.string(),
  name: z.string(),
  state: JobStateSchema,
  priority: z.number().int(),
  progress: JobProgress,
  /** Items in the job (a task holds a chunk of them). */
  items: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the job first became RUNNING (ISO); absent until then. */
  startedAt: z.string().optional(),
  /** When the job ended (COMPLETED, FAILED, CANCELLED or REJECTED; ISO); absent while it may run, and again after a retry. */
  endedAt: z.string().optional(),
  /** Its spec in brief (absent for jobs created before it was kept, and for REJECTED ones). */
  spec: JobSpecSummary.optional(),
  error: JobError.optional(),
  /** Why a PENDING job is not running: dependencies, run mode, or no matching worker. */
  waitingReason: z.string().optional(),
  runMode: z.string(),
  /** It has a reduce step: its result is `GET /api/v1/jobs/:id/result`, and its last task is that step (`progress.reduce` says where it is). */
  reduce: z.boolean(),
  /** The job this submit returned already existed (same `idempotencyKey`). */
  existing: z.boolean().optional(),
  /**
   * A validated job: its `validation` policy, and what it did so far (since the coordinator
   * started): replica leases, results accepted (by a quorum: `checked`; the rest by a trusted
   * worker alone), results that disagreed with their quorum, and results taken back because their
   * worker was caught lying. `leases / accepted` is the replication factor.
   */
  validation: z
    .object({
      replicas: z.number().int(),
      quorum: z.number().int(),
      adaptive: z.boolean(),
      maxReplicas: z.number().int(),
      leases: z.number().int(),
      accepted: z.number().int(),
      checked: z.number().int(),
      disagreements: z.number().int(),
      rechecked: z.number().int(),
    })
    .optional(),
}).meta({ id: 'JobStatus' });
export type JobStatus = z.infer<typeof JobStatus>;

/** `GET /api/v1/jobs/:id/tasks`: one per task. */
export const TaskStatus = z.object({
  index: z.number().int(),
  state: TaskStateSchema,
  firstItem: z.number().int(),
  itemCount: z.number().int(),
  attempts: z.number().int(),
  failures: z.number().int(),
  lapses: z.number().int(),
  workerId: z.string().nullable(),
  error: z.string().nullable(),
}).meta({ id: 'TaskStatus' });
export type TaskStatus = z.infer<typeof TaskStatus>;

/**
 * `GET /api/v1/jobs/:id/tasks/:index`: one task as the store (and, for a live job, memory) has it.
 * `workers` are those the store knows held it: the last holder and those it failed or lapsed on
 * or excludes (its blame), not a full history. `gang`: the ranks of a live gang attempt running it.
 */
export const TaskDetail = TaskStatus.extend({
  /** Size of the stored checkpoint as JSON; null when there is none. */
  checkpointBytes: z.number().int().nullable(),
  /** Not leased before this time (a backoff after a failure); null when it need not wait. */
  readyAt: z.string().nullable(),
  updatedAt: z.string(),
  workers: z.array(z.string()),
  gang: z.array(z.object({ rank: z.number().int(), workerId: z.string() })).optional(),
}).meta({ id: 'TaskDetail' });
export type TaskDetail = z.infer<typeof TaskDetail>;

/**
 * The letter of each task state in a task map's `states`: the panel decodes with this table.
 * @example TASK_MAP_LETTERS.failed // 'f'
 */
export const TASK_MAP_LETTERS: Readonly<Record<TaskState, string>> = { blocked: 'b', ready: 'r', leased: 'l', done: 'd', failed: 'f', cancelled: 'c' };

const STATE_OF_LETTER = new Map<string, TaskState>(TASK_STATES.map((state) => [TASK_MAP_LETTERS[state], state]));

/**
 * A task map's cells as task states (each letter read back through `TASK_MAP_LETTERS`).
 * @example taskMapStates({ total: 3, perCell: 1, states: 'dlr' }) // ['done', 'leased', 'ready']
 */
export function taskMapStates(map: Pick<TaskMap, 'states'>): TaskState[] {
  return Array.from(map.states, (letter) => STATE_OF_LETTER.get(letter) ?? 'blocked');
}

/**
 * Task states, most urgent first: a cell of several tasks shows the most urgent of theirs.
 * @example TASK_MAP_URGENCY[0] // 'failed'
 */
export const TASK_MAP_URGENCY: readonly TaskState[] = ['failed', 'leased', 'ready', 'blocked', 'cancelled', 'done'];

/**
 * `GET /api/v1/jobs/:id/task-map?cells=N`: a job's tasks as at most N cells, one letter each (see
 * `TASK_MAP_LETTERS`). Cell k covers tasks `k * perCell` to `(k + 1) * perCell - 1` (the last may
 * hold fewer) and shows the most urgent of their states (`TASK_MAP_URGENCY`); `perCell` is 1 when
 * the job has no more tasks than cells.
 * @example TaskMap.parse({ total: 5, perCell: 1, states: 'ddlrb' })
 */
export const TaskMap = z.object({
  total: z.number().int(),
  perCell: z.number().int().min(1),
  states: z.string().regex(/^[brldfc]*$/),
}).meta({ id: 'TaskMap' });
export type TaskMap = z.infer<typeof TaskMap>;

/** `GET /api/v1/jobs/:id/events`: one per state transition. */
export const JobEvent = z.object({
  id: z.number().int(),
  time: z.string(),
  from: JobStateSchema.nullable(),
  to: JobStateSchema,
  reason: z.string(),
}).meta({ id: 'JobEvent' });
export type JobEvent = z.infer<typeof JobEvent>;

/** A line of `GET /api/v1/jobs/:id/results`. */
export const ItemResult = z.object({ index: z.number().int(), output: z.unknown() }).meta({ id: 'ItemResult' });
export type ItemResult = z.infer<typeof ItemResult>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

/** The longest log message kept, in characters: a worker's line, and the coordinator's own (a failure with its stack). */
export const MAX_LOG_CHARS = 10_000;

/** A line of `GET /api/v1/jobs/:id/logs`. */
export const LogEntry = z.object({
  time: z.string(),
  level: LogLevel,
  taskIndex: z.number().int().nullable(),
  workerId: z.string().nullable(),
  message: z.string(),
}).meta({ id: 'LogEntry' });
export type LogEntry = z.infer<typeof LogEntry>;
