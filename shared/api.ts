import { z } from 'zod';
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
