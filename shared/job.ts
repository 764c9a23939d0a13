import { z } from 'zod';
import { JOB_STATES, TASK_STATES } from './states.js';

export const JobStateSchema = z.enum(JOB_STATES);
export const TaskStateSchema = z.enum(TASK_STATES);

/** Why a job failed: the message a task threw, and which task. */
export const JobError = z.object({
  message: z.string(),
  taskIndex: z.number().int().optional(),
  stack: z.string().optional(),
});
export type JobError = z.infer<typeof JobError>;

export const JobProgress = z.object({
  total: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  running: z.number().int(),
});
export type JobProgress = z.infer<typeof JobProgress>;

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
  error: JobError.optional(),
  /** Why a PENDING job is not running: dependencies, run mode, or no matching worker. */
  waitingReason: z.string().optional(),
  runMode: z.string(),
  /** It has a reduce step: its result is `GET /api/v1/jobs/:id/result`, and its last task is that step. */
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
});
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
});
export type TaskStatus = z.infer<typeof TaskStatus>;

/** `GET /api/v1/jobs/:id/events`: one per state transition. */
export const JobEvent = z.object({
  id: z.number().int(),
  time: z.string(),
  from: JobStateSchema.nullable(),
  to: JobStateSchema,
  reason: z.string(),
});
export type JobEvent = z.infer<typeof JobEvent>;

/** A line of `GET /api/v1/jobs/:id/results`. */
export const ItemResult = z.object({ index: z.number().int(), output: z.unknown() });
export type ItemResult = z.infer<typeof ItemResult>;

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;

/** A line of `GET /api/v1/jobs/:id/logs`. */
export const LogEntry = z.object({
  time: z.string(),
  level: LogLevel,
  taskIndex: z.number().int().nullable(),
  workerId: z.string().nullable(),
  message: z.string(),
});
export type LogEntry = z.infer<typeof LogEntry>;
