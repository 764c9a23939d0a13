import { z } from 'zod';
import { Capabilities } from './protocol.js';

/** `GET /api/v1/workers`: one per connected worker. */
export const WorkerStatus = z.object({
  id: z.string(),
  connected: z.boolean(),
  capabilities: Capabilities,
  joinedAt: z.string(),
  tasksDone: z.number().int(),
  /** Leases held now: `jobId/taskIndex`. */
  currentTasks: z.array(z.object({ jobId: z.string(), taskIndex: z.number().int(), progress: z.number() })),
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
  /** Tasks completed per second over the last 10 s. */
  tasksPerSecond: z.number(),
  uptimeSeconds: z.number(),
});
export type Stats = z.infer<typeof Stats>;

/** `POST /api/v1/jobs` answers with the new job's id and status. */
export const SubmitResponse = z.object({ id: z.string() });
